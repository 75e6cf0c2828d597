package io.gatehouse.router.internal.condition;

/** A literal, evaluated once at compile time. */
public record Constant(ValueType type, Object value) implements Expr {

    @Override
    public Object evaluate(EvaluationContext context) {
        return value;
    }
}
