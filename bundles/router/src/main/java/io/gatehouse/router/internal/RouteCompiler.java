package io.gatehouse.router.internal;

import io.gatehouse.api.deployment.InvalidConfigurationException;
import io.gatehouse.api.route.RouteTarget;
import io.gatehouse.router.internal.condition.BodyPaths;
import io.gatehouse.router.internal.condition.Builtins;
import io.gatehouse.router.internal.condition.ConditionCompiler;
import io.gatehouse.router.internal.condition.Constant;
import io.gatehouse.router.internal.condition.Expr;
import io.gatehouse.router.internal.grammar.RouteLexer;
import io.gatehouse.router.internal.grammar.RouteParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;

/** Parses and compiles route strings; all the work happens here, once per configuration. */
public final class RouteCompiler {

    /** ANTLR's token names, as a user would say them. */
    private static final Map<String, String> TOKEN_WORDS = Map.of(
            "PATH_SLASH", "'/'",
            "PATH_STAR", "'*'",
            "PATH_ID", "a path segment",
            "SYS_PROP", "a $name",
            "ID", "a name",
            "STRING", "a string");

    private final Builtins builtins = new Builtins();

    /** @throws InvalidConfigurationException "Error parsing route {name}: what at line l, column c" */
    public CompiledRoute compile(RouteSpec spec, String edgeDeviceId, long globalTimeToLiveSecs)
            throws InvalidConfigurationException {
        try {
            return compileOrThrow(spec, edgeDeviceId, globalTimeToLiveSecs);
        } catch (RouteSyntaxException e) {
            throw EdgeHubConfigParser.routeError(spec.name(), e.getMessage());
        }
    }

    /** @throws RouteSyntaxException "what at line l, column c", for callers that name the route their own way */
    public CompiledRoute compileOrThrow(RouteSpec spec, String edgeDeviceId, long globalTimeToLiveSecs) {
        RouteParser.RouteContext route = parser(spec.route()).route();
        RouteSource source = RouteSource.of(route.source().getText());
        Expr condition = null;
        BodyPaths bodyPaths = BodyPaths.NONE;
        if (route.expr() != null) {
            ConditionCompiler conditions = new ConditionCompiler(builtins, source.isTwinChangeNotifications());
            condition = conditions.compile(route.expr());
            bodyPaths = conditions.bodyPaths();
        }
        if (condition instanceof Constant c && c.value() == Boolean.TRUE) {
            condition = null;
            bodyPaths = BodyPaths.NONE;
        }
        String endpoint = endpoint(route.sink(), edgeDeviceId);
        long ttl = spec.timeToLiveSecs() > 0 ? spec.timeToLiveSecs() : globalTimeToLiveSecs;
        return new CompiledRoute(spec.name(), spec.route(), source, condition, bodyPaths,
                new RouteTarget(endpoint, spec.priority(), ttl));
    }

    /**
     * The endpoint id of a sink written on its own ({@code $upstream},
     * {@code BrokeredEndpoint("/modules/m/inputs/i")}).
     *
     * @throws RouteSyntaxException with what is wrong and where
     */
    public String compileSink(String sink, String edgeDeviceId) {
        return endpoint(parser(sink).sinkOnly().sink(), edgeDeviceId);
    }

    /** Compiles every route of a configuration, in manifest order; the first error refuses them all. */
    public List<CompiledRoute> compileAll(EdgeHubConfig config, String edgeDeviceId) throws InvalidConfigurationException {
        List<CompiledRoute> routes = new ArrayList<>(config.routes().size());
        for (RouteSpec spec : config.routes()) {
            routes.add(compile(spec, edgeDeviceId, config.timeToLiveSecs()));
        }
        return routes;
    }

    /** A condition on its own (the text after WHERE). */
    public Expr compileCondition(String condition) {
        return new ConditionCompiler(builtins).compile(parser(condition).condition().expr());
    }

    private static String endpoint(RouteParser.SinkContext sink, String edgeDeviceId) {
        try {
            if (sink instanceof RouteParser.SystemSinkContext s) {
                return Sinks.systemEndpoint(s.SYS_PROP().getText());
            }
            RouteParser.FunctionSinkContext f = (RouteParser.FunctionSinkContext) sink;
            return Sinks.functionEndpoint(f.func.getText(), ConditionCompiler.unquote(f.address), edgeDeviceId);
        } catch (IllegalArgumentException e) {
            throw RouteSyntaxException.at(sink.start, e.getMessage());
        }
    }

    private static RouteParser parser(String text) {
        RouteLexer lexer = new RouteLexer(CharStreams.fromString(text));
        lexer.removeErrorListeners();
        lexer.addErrorListener(new ThrowingListener());
        CommonTokenStream tokens = new CommonTokenStream(lexer);
        tokens.fill();
        // Error tokens first: their own message beats the parser's "extraneous input".
        java.util.ArrayDeque<Token> open = new java.util.ArrayDeque<>();
        for (Token t : tokens.getTokens()) {
            if (t.getType() == RouteLexer.UNTERMINATED_STRING) {
                throw RouteSyntaxException.at(t, "unterminated string");
            }
            if (t.getType() == RouteLexer.UNKNOWN_CHAR) {
                throw RouteSyntaxException.at(t, "unexpected character '" + t.getText() + "'");
            }
            if (t.getType() == RouteLexer.OPEN_PARENS) {
                open.push(t);
            } else if (t.getType() == RouteLexer.CLOSE_PARENS) {
                if (open.isEmpty()) throw RouteSyntaxException.at(t, "unmatched closing ')'");
                open.pop();
            }
        }
        if (!open.isEmpty()) throw RouteSyntaxException.at(open.peek(), "missing closing ')' for this '('");
        RouteParser parser = new RouteParser(tokens);
        parser.removeErrorListeners();
        parser.addErrorListener(new ThrowingListener());
        return parser;
    }

    /** Stops at the first syntax error. */
    private static final class ThrowingListener extends BaseErrorListener {

        @Override
        public void syntaxError(Recognizer<?, ?> recognizer, Object offendingSymbol, int line, int charPositionInLine,
                                String msg, RecognitionException e) {
            String text = msg.replace("mismatched input '<EOF>'", "the route ends early,").replace("'<EOF>'", "the end of the route")
                    .replace("<EOF>", "the end of the route");
            for (Map.Entry<String, String> w : TOKEN_WORDS.entrySet()) {
                text = text.replaceAll("(?<![A-Za-z_'])" + java.util.regex.Pattern.quote(w.getKey()) + "(?![A-Za-z_'])",
                        java.util.regex.Matcher.quoteReplacement(w.getValue()));
            }
            throw RouteSyntaxException.at(line, charPositionInLine, "syntax error: " + text);
        }
    }
}
