package io.gatehouse.router.internal.condition;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code $body.a.b[0]}: a value in the JSON body. A missing path is null, an object or array is
 * undefined, a body that is not JSON (or not declared as UTF JSON) is undefined. An application
 * property named exactly like the query shadows it unless the query was written {@code {$body…}}.
 */
record BodyQuery(JsonPath path, String shadowingAppProperty) implements Expr {

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
        JsonNode body = context.jsonBody();
        if (body == null) return Special.UNDEFINED;
        JsonNode node = path.resolve(body);
        if (node == null || node.isMissingNode() || node.isNull()) return Special.NULL;
        if (node.isTextual()) return node.textValue();
        if (node.isNumber()) return node.doubleValue();
        if (node.isBoolean()) return node.booleanValue();
        return Special.UNDEFINED;
    }
}
