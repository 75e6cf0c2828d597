package io.gatehouse.router.internal.condition;

/**
 * Static type of a condition expression, known when the route is compiled. Properties are
 * strings (as in IoT Edge); body queries are {@link #ANY} because their type is only known per
 * message.
 */
public enum ValueType {
    STRING("string"), NUMBER("number"), BOOL("bool"), NULL("null"), UNDEFINED("undefined"), ANY("any");

    private final String label;

    ValueType(String label) {
        this.label = label;
    }

    /** Operands of a binary operator fit if their types are equal or one is only known at run time. */
    public boolean compatibleWith(ValueType other) {
        return this == other || this == ANY || other == ANY;
    }

    /** Whether a value of this type may be used where {@code expected} is required. */
    public boolean fits(ValueType expected) {
        return this == expected || this == ANY;
    }

    /** Types AND, OR and NOT accept: a bool, or something that is undefined/null at run time. */
    public boolean isLogical() {
        return this == BOOL || this == NULL || this == UNDEFINED || this == ANY;
    }

    @Override
    public String toString() {
        return label;
    }
}
