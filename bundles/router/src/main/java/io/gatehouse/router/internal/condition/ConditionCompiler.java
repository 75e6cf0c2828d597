package io.gatehouse.router.internal.condition;

import io.gatehouse.router.internal.RouteSyntaxException;
import io.gatehouse.router.internal.grammar.RouteParser;
import io.gatehouse.router.internal.grammar.RouteParserBaseVisitor;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import org.antlr.v4.runtime.Token;

/**
 * Turns a parsed WHERE clause into an {@link Expr} tree, checking types as it goes: operands of
 * different known types, unknown functions and wrong arguments are refused here, with the
 * position, instead of silently never matching at run time.
 */
public final class ConditionCompiler extends RouteParserBaseVisitor<Expr> {
    private static final String BODY_PREFIX = "$body.";

    private static final List<String> TWIN_PATH_PREFIXES = List.of("properties.reported.", "properties.desired.", "tags.");

    private final Builtins builtins;
    private final boolean twinChangeSource;
    private BodyPaths bodyPaths = BodyPaths.NONE;

    /** A condition of a route whose source is not {@code /twinChangeNotifications}. */
    public ConditionCompiler(Builtins builtins) {
        this(builtins, false);
    }

    /** @param twinChangeSource whether the route's source is {@code /twinChangeNotifications} */
    public ConditionCompiler(Builtins builtins, boolean twinChangeSource) {
        this.builtins = builtins;
        this.twinChangeSource = twinChangeSource;
    }

    /** @throws RouteSyntaxException when the condition is ill-typed */
    public Expr compile(RouteParser.ExprContext condition) {
        // Known before the nodes are built, so that every body query of the condition shares one read.
        PathCollector collector = new PathCollector();
        collector.visit(condition);
        bodyPaths = BodyPaths.of(collector.paths);
        Expr expr = visit(condition);
        if (!expr.type().isLogical()) {
            throw RouteSyntaxException.at(condition.start, "the condition is a " + expr.type() + ", not a bool");
        }
        return expr;
    }

    /** The body paths (of $body queries and twin_change_includes) the last compiled condition reads. */
    public BodyPaths bodyPaths() {
        return bodyPaths;
    }

    @Override
    public Expr visitNested(RouteParser.NestedContext ctx) {
        return visit(ctx.expr());
    }

    @Override
    public Expr visitCall(RouteParser.CallContext ctx) {
        String name = ctx.func.getText();
        if (name.equalsIgnoreCase(Builtins.TWIN_CHANGE_INCLUDES)) return twinChangeIncludes(ctx);
        Builtins.Builtin builtin = builtins.find(name);
        if (builtin == null) {
            throw RouteSyntaxException.at(ctx.func, "unknown function '" + name + "'");
        }
        List<Expr> args = new ArrayList<>();
        List<ValueType> types = new ArrayList<>();
        for (RouteParser.ExprContext arg : ctx.expr()) {
            Expr e = visit(arg);
            args.add(e);
            types.add(e.type());
        }
        String mismatch = builtin.mismatch(types);
        if (mismatch != null) throw RouteSyntaxException.at(ctx.func, mismatch);
        return builtin.factory().apply(args.toArray(new Expr[0]));
    }

    /**
     * The argument is a twin path, not an expression: written bare as in IoT Edge
     * ({@code twin_change_includes(properties.reported.fw)}) or quoted, which also allows array
     * indexes. The prefix is matched case-insensitively, as in IoT Edge, and written in the
     * twin's own lower case so that it resolves.
     */
    private Expr twinChangeIncludes(RouteParser.CallContext ctx) {
        return new TwinChangeIncludes(bodyPaths.slot(twinPath(ctx)));
    }

    /** @throws RouteSyntaxException when the call is not a valid twin_change_includes */
    private JsonPath twinPath(RouteParser.CallContext ctx) {
        String name = Builtins.TWIN_CHANGE_INCLUDES;
        if (!twinChangeSource) {
            throw RouteSyntaxException.at(ctx.func, "function " + name + " is only valid on routes FROM "
                    + "/twinChangeNotifications");
        }
        if (ctx.expr().size() != 1) {
            throw RouteSyntaxException.at(ctx.func, "function " + name + " takes 1 argument, got " + ctx.expr().size());
        }
        RouteParser.ExprContext arg = ctx.expr(0);
        String path;
        if (arg instanceof RouteParser.AppPropertyContext property) {
            path = property.getText();
        } else if (arg instanceof RouteParser.LiteralExprContext literal
                && literal.literal() instanceof RouteParser.StringLiteralContext string) {
            path = unquote(string.STRING().getSymbol());
        } else {
            throw RouteSyntaxException.at(arg.start, "function " + name + " expects a twin path such as "
                    + "properties.reported.firmware, got '" + arg.getText() + "'");
        }
        String prefix = TWIN_PATH_PREFIXES.stream()
                .filter(p -> path.regionMatches(true, 0, p, 0, p.length()))
                .findFirst()
                .orElseThrow(() -> RouteSyntaxException.at(arg.start, "twin path '" + path
                        + "' is not supported: it must start with 'properties.reported.', 'properties.desired.' or 'tags.'"));
        try {
            return JsonPath.parse(prefix + path.substring(prefix.length()));
        } catch (IllegalArgumentException e) {
            throw RouteSyntaxException.at(arg.start, e.getMessage());
        }
    }

    @Override
    public Expr visitNegate(RouteParser.NegateContext ctx) {
        Expr operand = visit(ctx.expr());
        if (!operand.type().fits(ValueType.NUMBER)) {
            throw RouteSyntaxException.at(ctx.op, "operator '-' needs a number, got " + operand.type());
        }
        return new Arithmetic.Negate(operand);
    }

    @Override
    public Expr visitNot(RouteParser.NotContext ctx) {
        Expr operand = visit(ctx.expr());
        if (!operand.type().isLogical()) {
            throw RouteSyntaxException.at(ctx.op, "operator NOT needs a bool, got " + operand.type()
                    + " (NOT binds tighter than comparisons: write NOT (a = b))");
        }
        return new Logic.Not(operand);
    }

    @Override
    public Expr visitMultiplicative(RouteParser.MultiplicativeContext ctx) {
        Arithmetic.Op op = switch (ctx.op.getType()) {
            case RouteParser.STAR -> Arithmetic.Op.MUL;
            case RouteParser.SLASH -> Arithmetic.Op.DIV;
            default -> Arithmetic.Op.MOD;
        };
        return arithmetic(op, ctx.op, ctx.left, ctx.right);
    }

    @Override
    public Expr visitAdditive(RouteParser.AdditiveContext ctx) {
        Arithmetic.Op op = ctx.op.getType() == RouteParser.PLUS ? Arithmetic.Op.ADD : Arithmetic.Op.SUB;
        return arithmetic(op, ctx.op, ctx.left, ctx.right);
    }

    private Expr arithmetic(Arithmetic.Op op, Token token, RouteParser.ExprContext l, RouteParser.ExprContext r) {
        Expr left = visit(l);
        Expr right = visit(r);
        if (!left.type().fits(ValueType.NUMBER) || !right.type().fits(ValueType.NUMBER)) {
            throw RouteSyntaxException.at(token, "operator '" + op.symbol + "' needs numbers, got "
                    + left.type() + " and " + right.type() + hint(left, right));
        }
        return new Arithmetic(op, left, right);
    }

    @Override
    public Expr visitConcat(RouteParser.ConcatContext ctx) {
        Expr left = visit(ctx.left);
        Expr right = visit(ctx.right);
        if (!left.type().fits(ValueType.STRING) || !right.type().fits(ValueType.STRING)) {
            throw RouteSyntaxException.at(ctx.op, "operator '||' needs strings, got " + left.type() + " and " + right.type());
        }
        return new FunctionCall.Concat(new Expr[] {left, right});
    }

    @Override
    public Expr visitCompare(RouteParser.CompareContext ctx) {
        Comparison.Op op = switch (ctx.op.getType()) {
            case RouteParser.OP_LT -> Comparison.Op.LT;
            case RouteParser.OP_LE -> Comparison.Op.LE;
            case RouteParser.OP_GT -> Comparison.Op.GT;
            default -> Comparison.Op.GE;
        };
        return comparison(op, ctx.op, ctx.left, ctx.right);
    }

    @Override
    public Expr visitEquality(RouteParser.EqualityContext ctx) {
        Comparison.Op op = ctx.op.getType() == RouteParser.OP_EQ ? Comparison.Op.EQ : Comparison.Op.NE;
        return comparison(op, ctx.op, ctx.left, ctx.right);
    }

    private Expr comparison(Comparison.Op op, Token token, RouteParser.ExprContext l, RouteParser.ExprContext r) {
        Expr left = visit(l);
        Expr right = visit(r);
        if (!left.type().compatibleWith(right.type())) {
            throw RouteSyntaxException.at(token, "cannot compare " + left.type() + " with " + right.type()
                    + " using '" + token.getText() + "'" + hint(left, right));
        }
        return new Comparison(op, left, right);
    }

    /** Properties are strings; the usual mistake is comparing one with a number. */
    private static String hint(Expr left, Expr right) {
        boolean property = left instanceof AppProperty || left instanceof SystemProperty
                || right instanceof AppProperty || right instanceof SystemProperty;
        boolean number = left.type() == ValueType.NUMBER || right.type() == ValueType.NUMBER;
        return property && number ? " (properties are strings: convert with as_number(…))" : "";
    }

    @Override
    public Expr visitAnd(RouteParser.AndContext ctx) {
        Expr left = visit(ctx.left);
        Expr right = visit(ctx.right);
        checkLogical("AND", ctx.op, left, right);
        return new Logic.And(left, right);
    }

    @Override
    public Expr visitOr(RouteParser.OrContext ctx) {
        Expr left = visit(ctx.left);
        Expr right = visit(ctx.right);
        checkLogical("OR", ctx.op, left, right);
        return new Logic.Or(left, right);
    }

    private static void checkLogical(String name, Token token, Expr left, Expr right) {
        if (!left.type().isLogical() || !right.type().isLogical()) {
            throw RouteSyntaxException.at(token, "operator " + name + " needs bools, got " + left.type() + " and " + right.type());
        }
    }

    @Override
    public Expr visitCoalesce(RouteParser.CoalesceContext ctx) {
        Expr left = visit(ctx.left);
        Expr right = visit(ctx.right);
        if (left.type() == ValueType.UNDEFINED) return right;
        if (!left.type().compatibleWith(right.type())) {
            throw RouteSyntaxException.at(ctx.op, "operator '??' needs operands of the same type, got "
                    + left.type() + " and " + right.type());
        }
        ValueType type = left.type() == right.type() ? left.type() : ValueType.ANY;
        return new Logic.Coalesce(type, left, right);
    }

    @Override
    public Expr visitLiteralExpr(RouteParser.LiteralExprContext ctx) {
        return visit(ctx.literal());
    }

    @Override
    public Expr visitStringLiteral(RouteParser.StringLiteralContext ctx) {
        return new Constant(ValueType.STRING, unquote(ctx.STRING().getSymbol()));
    }

    @Override
    public Expr visitIntegerLiteral(RouteParser.IntegerLiteralContext ctx) {
        return number(ctx.getText());
    }

    @Override
    public Expr visitRealLiteral(RouteParser.RealLiteralContext ctx) {
        return number(ctx.getText());
    }

    @Override
    public Expr visitHexLiteral(RouteParser.HexLiteralContext ctx) {
        return new Constant(ValueType.NUMBER, new BigInteger(ctx.getText().substring(2), 16).doubleValue());
    }

    private static Expr number(String text) {
        return new Constant(ValueType.NUMBER, Double.parseDouble(text));
    }

    @Override
    public Expr visitTrueLiteral(RouteParser.TrueLiteralContext ctx) {
        return new Constant(ValueType.BOOL, Boolean.TRUE);
    }

    @Override
    public Expr visitFalseLiteral(RouteParser.FalseLiteralContext ctx) {
        return new Constant(ValueType.BOOL, Boolean.FALSE);
    }

    @Override
    public Expr visitNullLiteral(RouteParser.NullLiteralContext ctx) {
        return new Constant(ValueType.NULL, Special.NULL);
    }

    @Override
    public Expr visitUndefinedLiteral(RouteParser.UndefinedLiteralContext ctx) {
        return new Constant(ValueType.UNDEFINED, Special.UNDEFINED);
    }

    @Override
    public Expr visitAppProperty(RouteParser.AppPropertyContext ctx) {
        return new AppProperty(ctx.getText());
    }

    @Override
    public Expr visitSysProperty(RouteParser.SysPropertyContext ctx) {
        return systemOrBody(ctx.SYS_PROP().getSymbol(), true);
    }

    @Override
    public Expr visitEscapedSysProperty(RouteParser.EscapedSysPropertyContext ctx) {
        return systemOrBody(ctx.SYS_PROP().getSymbol(), false);
    }

    private Expr systemOrBody(Token token, boolean appPropertyMayShadow) {
        String text = token.getText();
        String shadow = appPropertyMayShadow ? text : null;
        JsonPath body = bodyPath(token);
        if (body != null) return new BodyQuery(bodyPaths.slot(body), shadow);
        if (text.indexOf('[') >= 0 || text.indexOf(']') >= 0) {
            throw RouteSyntaxException.at(token, "'" + text + "' is not a property name: only $body queries may contain '[' or ']'");
        }
        return new SystemProperty(text.substring(1), shadow);
    }

    /**
     * The path of a {@code $body.…} token, or null when the token is not a body query.
     *
     * @throws RouteSyntaxException when the path is malformed
     */
    private static JsonPath bodyPath(Token token) {
        String text = token.getText();
        if (!text.regionMatches(true, 0, BODY_PREFIX, 0, BODY_PREFIX.length())) return null;
        try {
            return JsonPath.parse(text.substring(BODY_PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw RouteSyntaxException.at(token, e.getMessage());
        }
    }

    /** Finds the body paths of a condition; malformed ones are left for the compiler to refuse. */
    private final class PathCollector extends RouteParserBaseVisitor<Void> {
        final List<JsonPath> paths = new ArrayList<>();

        @Override
        public Void visitSysProperty(RouteParser.SysPropertyContext ctx) {
            return add(ctx.SYS_PROP().getSymbol());
        }

        @Override
        public Void visitEscapedSysProperty(RouteParser.EscapedSysPropertyContext ctx) {
            return add(ctx.SYS_PROP().getSymbol());
        }

        @Override
        public Void visitCall(RouteParser.CallContext ctx) {
            if (ctx.func.getText().equalsIgnoreCase(Builtins.TWIN_CHANGE_INCLUDES)) {
                try {
                    paths.add(twinPath(ctx));
                } catch (RouteSyntaxException e) {
                    // refused with its position when the node is built
                }
                return null;
            }
            return visitChildren(ctx);
        }

        private Void add(Token token) {
            try {
                JsonPath path = bodyPath(token);
                if (path != null) paths.add(path);
            } catch (RouteSyntaxException e) {
                // refused with its position when the node is built
            }
            return null;
        }
    }

    /** The value of a quoted string token; escapes are \" \' \\ and \\uXXXX. */
    public static String unquote(Token token) {
        String text = token.getText();
        StringBuilder sb = new StringBuilder(text.length());
        int end = text.length() - 1;
        for (int i = 1; i < end; i++) {
            char c = text.charAt(i);
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            char e = text.charAt(i + 1);
            if (e == '"' || e == '\'' || e == '\\') {
                sb.append(e);
                i++;
            } else if ((e == 'u' || e == 'U') && i + 6 <= end && isHex(text, i + 2, i + 6)) {
                sb.append((char) Integer.parseInt(text.substring(i + 2, i + 6), 16));
                i += 5;
            } else {
                throw RouteSyntaxException.at(token.getLine(), token.getCharPositionInLine() + i,
                        "invalid escape '\\" + e + "' in string (allowed: \\\" \\' \\\\ \\uXXXX)");
            }
        }
        return sb.toString();
    }

    private static boolean isHex(String s, int from, int to) {
        if (to > s.length()) return false;
        for (int i = from; i < to; i++) {
            if (Character.digit(s.charAt(i), 16) < 0) return false;
        }
        return true;
    }

    @Override
    protected Expr defaultResult() {
        return null;
    }
}
