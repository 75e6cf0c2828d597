package io.gatehouse.router.internal.condition;

/**
 * Three-valued logic: {@code Boolean.TRUE}, {@code Boolean.FALSE}, and anything else (undefined,
 * null, a non-bool body value) counts as undefined.
 */
final class Logic {
    private Logic() {
    }

    record And(Expr left, Expr right) implements Expr {
        @Override
        public ValueType type() {
            return ValueType.BOOL;
        }

        @Override
        public Object evaluate(EvaluationContext context) {
            Object l = left.evaluate(context);
            if (l == Boolean.FALSE) return Boolean.FALSE;
            Object r = right.evaluate(context);
            if (r == Boolean.FALSE) return Boolean.FALSE;
            return l == Boolean.TRUE && r == Boolean.TRUE ? Boolean.TRUE : Special.UNDEFINED;
        }
    }

    record Or(Expr left, Expr right) implements Expr {
        @Override
        public ValueType type() {
            return ValueType.BOOL;
        }

        @Override
        public Object evaluate(EvaluationContext context) {
            Object l = left.evaluate(context);
            if (l == Boolean.TRUE) return Boolean.TRUE;
            Object r = right.evaluate(context);
            if (r == Boolean.TRUE) return Boolean.TRUE;
            return l == Boolean.FALSE && r == Boolean.FALSE ? Boolean.FALSE : Special.UNDEFINED;
        }
    }

    record Not(Expr operand) implements Expr {
        @Override
        public ValueType type() {
            return ValueType.BOOL;
        }

        @Override
        public Object evaluate(EvaluationContext context) {
            Object v = operand.evaluate(context);
            if (v == Boolean.TRUE) return Boolean.FALSE;
            if (v == Boolean.FALSE) return Boolean.TRUE;
            return Special.UNDEFINED;
        }
    }

    /** {@code left ?? right}: left unless it is undefined. */
    record Coalesce(ValueType type, Expr left, Expr right) implements Expr {
        @Override
        public Object evaluate(EvaluationContext context) {
            Object l = left.evaluate(context);
            return l != Special.UNDEFINED ? l : right.evaluate(context);
        }
    }
}
