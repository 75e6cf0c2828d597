package io.gatehouse.router.internal.condition;

/**
 * The run-time values that are neither string, number nor bool. Values of a condition are
 * {@code String}, {@code Double}, {@code Boolean} or one of these; {@link #UNDEFINED} is also the
 * third truth value of the three-valued logic.
 */
public enum Special {
    UNDEFINED, NULL
}
