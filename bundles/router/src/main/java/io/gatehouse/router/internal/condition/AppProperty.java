package io.gatehouse.router.internal.condition;

/** A bare name: the application property of that name, case-insensitively. */
record AppProperty(String name) implements Expr {

    @Override
    public ValueType type() {
        return ValueType.STRING;
    }

    @Override
    public Object evaluate(EvaluationContext context) {
        String value = context.appProperty(name);
        return value == null ? Special.UNDEFINED : value;
    }
}
