package io.gatehouse.router.internal.condition;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code twin_change_includes(properties.reported.x)}: whether the twin patch in the body of a
 * twin change notification contains the path. Missing or JSON null is false (as IoT Edge maps
 * Null to false); any other value, objects included, is true; a body that is not JSON is
 * undefined.
 */
record TwinChangeIncludes(JsonPath path) implements Expr {

    @Override
    public ValueType type() {
        return ValueType.BOOL;
    }

    @Override
    public Object evaluate(EvaluationContext context) {
        JsonNode patch = context.twinPatch();
        if (patch == null) return Special.UNDEFINED;
        JsonNode node = path.resolve(patch);
        return node != null && !node.isNull() && !node.isMissingNode();
    }
}
