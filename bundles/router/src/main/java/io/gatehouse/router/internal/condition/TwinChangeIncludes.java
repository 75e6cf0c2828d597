package io.gatehouse.router.internal.condition;

/**
 * {@code twin_change_includes(properties.reported.x)}: whether the twin patch in the body of a
 * twin change notification contains the path. Missing or JSON null is false (as IoT Edge maps
 * Null to false); any other value, objects included, is true; a body that is not JSON is
 * undefined.
 *
 * @param slot the path, among the paths of the condition it belongs to
 */
record TwinChangeIncludes(BodyPaths.Slot slot) implements Expr {

    @Override
    public ValueType type() {
        return ValueType.BOOL;
    }

    @Override
    public Object evaluate(EvaluationContext context) {
        Object value = context.twinValue(slot);
        if (value == null) return Special.UNDEFINED;
        return value != BodyPaths.Found.ABSENT && value != BodyPaths.Found.JSON_NULL;
    }
}
