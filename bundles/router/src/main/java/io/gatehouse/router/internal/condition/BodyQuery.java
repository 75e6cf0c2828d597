package io.gatehouse.router.internal.condition;

/**
 * {@code $body.a.b[0]}: a value in the JSON body. A missing path is null, an object or array is
 * undefined, a body that is not JSON (or not declared as UTF JSON) is undefined. An application
 * property named exactly like the query shadows it unless the query was written {@code {$body…}}.
 *
 * @param slot the path, among the paths of the condition it belongs to
 */
record BodyQuery(BodyPaths.Slot slot, String shadowingAppProperty) implements Expr {

    @Override
    public ValueType type() {
        return ValueType.ANY;
    }

    @Override
    public Object evaluate(EvaluationContext context) {
        if (shadowingAppProperty != null) {
            String app = context.appProperty(shadowingAppProperty);
            if (app != null) return app;
        }
        Object value = context.bodyValue(slot);
        if (value == null || value == BodyPaths.Found.STRUCTURE) return Special.UNDEFINED;
        if (value == BodyPaths.Found.ABSENT || value == BodyPaths.Found.JSON_NULL) return Special.NULL;
        return value;
    }
}
