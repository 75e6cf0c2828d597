package io.gatehouse.router.internal.condition;

/**
 * A compiled condition expression. {@link #evaluate} returns a {@code String}, {@code Double},
 * {@code Boolean} or a {@link Special}; it must not throw for any message and must be safe to call
 * from many threads at once (nodes are immutable).
 */
public interface Expr {

    ValueType type();

    Object evaluate(EvaluationContext context);
}
