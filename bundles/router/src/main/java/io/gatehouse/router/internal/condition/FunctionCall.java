package io.gatehouse.router.internal.condition;

import java.util.function.BiFunction;
import java.util.function.Function;

/** Nodes of built-in function calls; the function bodies live in {@link Builtins}. */
final class FunctionCall {
    private FunctionCall() {
    }

    record Unary(ValueType type, Expr arg, Function<Object, Object> fn) implements Expr {
        @Override
        public Object evaluate(EvaluationContext context) {
            return fn.apply(arg.evaluate(context));
        }
    }

    record Binary(ValueType type, Expr first, Expr second, BiFunction<Object, Object, Object> fn) implements Expr {
        @Override
        public Object evaluate(EvaluationContext context) {
            return fn.apply(first.evaluate(context), second.evaluate(context));
        }
    }

    interface TriFunction {
        Object apply(Object a, Object b, Object c);
    }

    record Ternary(ValueType type, Expr first, Expr second, Expr third, TriFunction fn) implements Expr {
        @Override
        public Object evaluate(EvaluationContext context) {
            return fn.apply(first.evaluate(context), second.evaluate(context), third.evaluate(context));
        }
    }

    /** concat(s1, s2, …): undefined unless every argument is a string. */
    record Concat(Expr[] args) implements Expr {
        @Override
        public ValueType type() {
            return ValueType.STRING;
        }

        @Override
        public Object evaluate(EvaluationContext context) {
            StringBuilder sb = new StringBuilder();
            for (Expr arg : args) {
                if (!(arg.evaluate(context) instanceof String s)) return Special.UNDEFINED;
                sb.append(s);
            }
            return sb.toString();
        }
    }
}
