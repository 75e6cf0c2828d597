package io.gatehouse.router.internal.condition;

import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The built-in functions of the condition language, by case-insensitive name. Each checks its
 * argument types when the route is compiled; at run time a wrong-typed, undefined or null
 * argument makes the result undefined (type tests excepted: they answer true or false).
 *
 * <p>{@code twin_change_includes} is the 24th built-in; it takes a twin path rather than a value,
 * so {@link ConditionCompiler} compiles it itself.
 */
public final class Builtins {
    public static final String TWIN_CHANGE_INCLUDES = "twin_change_includes";

    /** Compile-time description of one function. */
    public record Builtin(String name, List<Set<ValueType>> params, boolean varargs, ValueType result,
                          Function<Expr[], Expr> factory) {

        /** Null when the argument types fit, else why not. */
        String mismatch(List<ValueType> args) {
            int min = varargs ? params.size() : (int) params.stream().filter(p -> !p.contains(null)).count();
            int max = varargs ? Integer.MAX_VALUE : params.size();
            if (args.size() < min || args.size() > max) {
                return "function " + name + " takes " + arity(min, max) + ", got " + args.size();
            }
            for (int i = 0; i < args.size(); i++) {
                Set<ValueType> accepted = params.get(Math.min(i, params.size() - 1));
                ValueType given = args.get(i);
                if (given != ValueType.ANY && !accepted.contains(ValueType.ANY) && !accepted.contains(given)) {
                    return "function " + name + " expects " + signature() + ", argument " + (i + 1) + " is " + given;
                }
            }
            return null;
        }

        String signature() {
            StringBuilder sb = new StringBuilder(name).append('(');
            for (int i = 0; i < params.size(); i++) {
                if (i > 0) sb.append(", ");
                Set<ValueType> p = params.get(i);
                boolean optional = p.contains(null);
                if (optional) sb.append('[');
                sb.append(p.stream().filter(t -> t != null).map(t -> t == ValueType.ANY ? "any" : t.toString())
                        .reduce((a, b) -> a + "|" + b).orElse(""));
                if (optional) sb.append(']');
            }
            if (varargs) sb.append(", …");
            return sb.append(')').toString();
        }

        private static String arity(int min, int max) {
            if (max == Integer.MAX_VALUE) return "at least " + min + " argument" + (min == 1 ? "" : "s");
            if (min == max) return min + " argument" + (min == 1 ? "" : "s");
            return min + " to " + max + " arguments";
        }
    }

    private static final Set<ValueType> NUM = EnumSet.of(ValueType.NUMBER);
    private static final Set<ValueType> STR = EnumSet.of(ValueType.STRING);
    private static final Set<ValueType> ANY = EnumSet.of(ValueType.ANY);
    private static final Set<ValueType> STR_OR_NUM = EnumSet.of(ValueType.STRING, ValueType.NUMBER);
    /** An optional number parameter; null in the set marks it optional. */
    private static final Set<ValueType> OPT_NUM = Collections.unmodifiableSet(new java.util.HashSet<>(java.util.Arrays.asList(ValueType.NUMBER, null)));

    private final Map<String, Builtin> byName = new LinkedHashMap<>();

    public Builtins() {
        math("abs", Math::abs);
        math("exp", Math::exp);
        math("ceiling", Math::ceil);
        math("floor", Math::floor);
        math("sign", Math::signum);
        math("sqrt", Math::sqrt);
        math("square", x -> x * x);
        math2("power", Math::pow);

        add("as_number", List.of(STR_OR_NUM), false, ValueType.NUMBER,
                a -> new FunctionCall.Unary(ValueType.NUMBER, a[0], Builtins::asNumber));
        typeTest("is_bool", v -> v instanceof Boolean);
        typeTest("is_number", v -> v instanceof Double);
        typeTest("is_string", v -> v instanceof String);
        typeTest("is_null", v -> v == Special.NULL);
        typeTest("is_defined", v -> v != Special.UNDEFINED);

        add("concat", List.of(STR, STR), true, ValueType.STRING, FunctionCall.Concat::new);
        add("length", List.of(STR), false, ValueType.NUMBER,
                a -> new FunctionCall.Unary(ValueType.NUMBER, a[0], v -> v instanceof String s ? (Object) (double) s.length() : Special.UNDEFINED));
        add("lower", List.of(STR), false, ValueType.STRING,
                a -> new FunctionCall.Unary(ValueType.STRING, a[0], v -> v instanceof String s ? s.toLowerCase(Locale.ROOT) : Special.UNDEFINED));
        add("upper", List.of(STR), false, ValueType.STRING,
                a -> new FunctionCall.Unary(ValueType.STRING, a[0], v -> v instanceof String s ? s.toUpperCase(Locale.ROOT) : Special.UNDEFINED));
        add("substring", List.of(STR, NUM, OPT_NUM), false, ValueType.STRING, a -> a.length == 2
                ? new FunctionCall.Binary(ValueType.STRING, a[0], a[1], (s, start) -> substring(s, start, null))
                : new FunctionCall.Ternary(ValueType.STRING, a[0], a[1], a[2], Builtins::substring));
        add("index_of", List.of(STR, STR), false, ValueType.NUMBER, a -> new FunctionCall.Binary(ValueType.NUMBER, a[0], a[1],
                (s, sub) -> s instanceof String x && sub instanceof String y ? (Object) (double) x.indexOf(y) : Special.UNDEFINED));
        stringTest("starts_with", String::startsWith);
        stringTest("ends_with", String::endsWith);
        stringTest("contains", String::contains);
    }

    /** The function, or null when there is none of that name. */
    public Builtin find(String name) {
        return byName.get(name.toLowerCase(Locale.ROOT));
    }

    public java.util.Collection<Builtin> all() {
        return Collections.unmodifiableCollection(byName.values());
    }

    private void add(String name, List<Set<ValueType>> params, boolean varargs, ValueType result, Function<Expr[], Expr> factory) {
        byName.put(name, new Builtin(name, params, varargs, result, factory));
    }

    private void math(String name, DoubleUnaryOperator f) {
        add(name, List.of(NUM), false, ValueType.NUMBER, a -> new FunctionCall.Unary(ValueType.NUMBER, a[0],
                v -> v instanceof Double d ? (Object) f.applyAsDouble(d) : Special.UNDEFINED));
    }

    private void math2(String name, DoubleBinaryOperator f) {
        add(name, List.of(NUM, NUM), false, ValueType.NUMBER, a -> new FunctionCall.Binary(ValueType.NUMBER, a[0], a[1],
                (x, y) -> x instanceof Double p && y instanceof Double q ? (Object) f.applyAsDouble(p, q) : Special.UNDEFINED));
    }

    private void typeTest(String name, Predicate<Object> test) {
        add(name, List.of(ANY), false, ValueType.BOOL, a -> new FunctionCall.Unary(ValueType.BOOL, a[0], v -> test.test(v)));
    }

    private interface StringTest {
        boolean test(String s, String p);
    }

    private void stringTest(String name, StringTest test) {
        add(name, List.of(STR, STR), false, ValueType.BOOL, a -> new FunctionCall.Binary(ValueType.BOOL, a[0], a[1],
                (s, p) -> s instanceof String x && p instanceof String y ? (Object) test.test(x, y) : Special.UNDEFINED));
    }

    private static Object asNumber(Object v) {
        if (v instanceof Double) return v;
        if (!(v instanceof String s)) return Special.UNDEFINED;
        String t = s.trim();
        // Double.parseDouble also takes "NaN", "Infinity" and hex floats; keep to plain decimals.
        if (t.isEmpty() || !t.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E')) {
            return Special.UNDEFINED;
        }
        try {
            return Double.parseDouble(t);
        } catch (NumberFormatException e) {
            return Special.UNDEFINED;
        }
    }

    private static Object substring(Object s, Object start, Object length) {
        if (!(s instanceof String str) || !(start instanceof Double from)) return Special.UNDEFINED;
        if (from != Math.rint(from) || from < 0 || from > str.length()) return Special.UNDEFINED;
        int begin = (int) (double) from;
        if (length == null) return str.substring(begin);
        if (!(length instanceof Double len) || len != Math.rint(len) || len < 0 || begin + len > str.length()) {
            return Special.UNDEFINED;
        }
        return str.substring(begin, begin + (int) (double) len);
    }
}
