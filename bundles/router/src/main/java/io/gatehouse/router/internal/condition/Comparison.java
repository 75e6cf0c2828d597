package io.gatehouse.router.internal.condition;

/**
 * {@code = != <> < <= > >=} on two values of the same type: strings ordinally (case-sensitive),
 * numbers as doubles, bools with false below true. Anything else (undefined, null, mixed types
 * at run time) is undefined.
 */
record Comparison(Op op, Expr left, Expr right) implements Expr {

    enum Op {
        EQ("="), NE("!="), LT("<"), LE("<="), GT(">"), GE(">=");

        final String symbol;

        Op(String symbol) {
            this.symbol = symbol;
        }
    }

    @Override
    public ValueType type() {
        return ValueType.BOOL;
    }

    @Override
    public Object evaluate(EvaluationContext context) {
        Object l = left.evaluate(context);
        Object r = right.evaluate(context);
        if (l instanceof Double a && r instanceof Double b) {
            return compareNumbers(a, b);
        }
        int c;
        if (l instanceof String a && r instanceof String b) {
            c = a.compareTo(b);
        } else if (l instanceof Boolean a && r instanceof Boolean b) {
            c = Boolean.compare(a, b);
        } else {
            return Special.UNDEFINED;
        }
        return switch (op) {
            case EQ -> c == 0;
            case NE -> c != 0;
            case LT -> c < 0;
            case LE -> c <= 0;
            case GT -> c > 0;
            case GE -> c >= 0;
        };
    }

    // Primitive operators keep IEEE semantics: NaN is unequal to everything, itself included.
    private Boolean compareNumbers(double a, double b) {
        return switch (op) {
            case EQ -> a == b;
            case NE -> a != b;
            case LT -> a < b;
            case LE -> a <= b;
            case GT -> a > b;
            case GE -> a >= b;
        };
    }
}
