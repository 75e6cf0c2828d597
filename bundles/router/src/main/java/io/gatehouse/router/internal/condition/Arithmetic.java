package io.gatehouse.router.internal.condition;

/** {@code * / % + -} on doubles; a non-number operand at run time makes the result undefined. */
record Arithmetic(Op op, Expr left, Expr right) implements Expr {

    enum Op {
        MUL("*"), DIV("/"), MOD("%"), ADD("+"), SUB("-");

        final String symbol;

        Op(String symbol) {
            this.symbol = symbol;
        }
    }

    @Override
    public ValueType type() {
        return ValueType.NUMBER;
    }

    @Override
    public Object evaluate(EvaluationContext context) {
        if (!(left.evaluate(context) instanceof Double a)) return Special.UNDEFINED;
        if (!(right.evaluate(context) instanceof Double b)) return Special.UNDEFINED;
        double x = a;
        double y = b;
        return switch (op) {
            case MUL -> x * y;
            case DIV -> x / y;
            case MOD -> x % y;
            case ADD -> x + y;
            case SUB -> x - y;
        };
    }

    record Negate(Expr operand) implements Expr {
        @Override
        public ValueType type() {
            return ValueType.NUMBER;
        }

        @Override
        public Object evaluate(EvaluationContext context) {
            return operand.evaluate(context) instanceof Double d ? -d : Special.UNDEFINED;
        }
    }
}
