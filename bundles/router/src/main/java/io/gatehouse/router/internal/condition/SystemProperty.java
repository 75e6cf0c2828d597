package io.gatehouse.router.internal.condition;

/**
 * {@code $name}: the application property literally named {@code $name} if the message has one
 * (shadowing, as in IoT Edge), else the system property {@code name}. {@code {$name}} has no
 * shadow and reads the system property only.
 */
record SystemProperty(String name, String shadowingAppProperty) implements Expr {

    @Override
    public ValueType type() {
        return ValueType.STRING;
    }

    @Override
    public Object evaluate(EvaluationContext context) {
        if (shadowingAppProperty != null) {
            String app = context.appProperty(shadowingAppProperty);
            if (app != null) return app;
        }
        String value = context.systemProperty(name);
        return value == null ? Special.UNDEFINED : value;
    }
}
