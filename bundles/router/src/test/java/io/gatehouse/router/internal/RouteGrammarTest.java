package io.gatehouse.router.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.api.deployment.InvalidConfigurationException;
import io.gatehouse.api.route.EndpointIds;
import io.gatehouse.api.route.RouteTarget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class RouteGrammarTest {
    private final RouteCompiler compiler = new RouteCompiler();

    private CompiledRoute compile(String route) throws InvalidConfigurationException {
        return compiler.compile(new RouteSpec("r", route, RouteTarget.DEFAULT_PRIORITY, 0), "edge1", 7200);
    }

    private String error(String route) {
        try {
            compile(route);
        } catch (InvalidConfigurationException e) {
            return e.getMessage();
        }
        throw new AssertionError("route compiled: " + route);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "FROM /messages/* INTO $upstream",
            "from /messages/* into $upstream",
            "From /messages/* Into $upstream",
            "SELECT * FROM /messages/* INTO $upstream",
            "select * from /messages/* into $upstream",
            "FROM /messages/* WHERE true INTO $upstream",
            "FROM /messages/* where true into $upstream",
            "  FROM   /messages/*   INTO   $upstream  ",
            "FROM /messages/*\nWHERE true\nINTO $upstream",
            "/* leading comment */ FROM /messages/* INTO $upstream /* trailing */",
            "FROM /messages/* WHERE /* inside */ true INTO $upstream",
    })
    void keywordsAreCaseInsensitiveAndLayoutIsFree(String route) throws Exception {
        CompiledRoute r = compile(route);
        assertThat(r.source().prefix()).isEqualTo("/messages");
        assertThat(r.condition()).isNull();
        assertThat(r.target()).isEqualTo(new RouteTarget(EndpointIds.UPSTREAM, RouteTarget.DEFAULT_PRIORITY, 7200));
    }

    @Test
    void sourceEndingInSlashStarDoesNotOpenAComment() throws Exception {
        // In IoT Edge's lexer "/*" here would start a comment that swallows the WHERE clause.
        CompiledRoute r = compile("FROM /messages/modules/m/* WHERE a = 'x' /* a comment */ INTO $upstream");
        assertThat(r.source().prefix()).isEqualTo("/messages/modules/m");
        assertThat(r.condition()).isNotNull();
    }

    @Test
    void sinkIsBrokeredEndpointOfThisDevice() throws Exception {
        assertThat(compile("FROM /messages/* INTO BrokeredEndpoint(\"/modules/filter/inputs/input1\")").target().endpointId())
                .isEqualTo("edge1/filter/input1");
        assertThat(compile("FROM /messages/* INTO brokeredEndpoint('/modules/filter/inputs/input1')").target().endpointId())
                .isEqualTo("edge1/filter/input1");
    }

    static Stream<Arguments> syntaxErrors() {
        return Stream.of(
                Arguments.of("FROM /messages/* INTO", "syntax error: the route ends early, expecting {a $name, a name} at line 1, column 22"),
                Arguments.of("FROM /messages/* $upstream", "at line 1, column 18"),
                Arguments.of("/messages/* INTO $upstream", "syntax error"),
                Arguments.of("FROM messages INTO $upstream", "at line 1, column 6"),
                Arguments.of("FROM /messages/* WHERE INTO $upstream", "at line 1, column 24"),
                Arguments.of("FROM /messages/* WHERE a = INTO $upstream", "at line 1, column 28"),
                Arguments.of("FROM /messages/* WHERE (a = 'b' INTO $upstream", "missing closing ')' for this '(' at line 1, column 24"),
                Arguments.of("FROM /messages/* WHERE a = 'b') INTO $upstream", "unmatched closing ')' at line 1, column 31"),
                Arguments.of("FROM /messages/* WHERE a = \"b INTO $upstream", "unterminated string at line 1, column 28"),
                Arguments.of("FROM /messages/* WHERE a = 'b INTO $upstream", "unterminated string at line 1, column 28"),
                Arguments.of("FROM /messages/* WHERE a = 'b\\n' INTO $upstream", "invalid escape '\\n' in string"),
                Arguments.of("FROM /messages/* WHERE a = @ INTO $upstream", "unexpected character '@' at line 1, column 28"),
                Arguments.of("FROM /messages/* WHERE a[0] = 'x' INTO $upstream", "unexpected character '[' at line 1, column 25"),
                Arguments.of("FROM /messages/* INTO $upstream extra", "at line 1, column 33"),
                Arguments.of("FROM /messages/* INTO $local", "system endpoint $local is not supported"),
                Arguments.of("FROM /messages/* INTO Endpoint(\"/modules/m/inputs/i\")", "endpoint function Endpoint is not supported"),
                Arguments.of("FROM /messages/* INTO BrokeredEndpoint(\"/modules/m/inputs\")", "must be /modules/<module>/inputs/<input> at line 1, column 23"),
                Arguments.of("FROM /messages/* WHERE\n  a = = 'b' INTO $upstream", "at line 2, column 7"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("syntaxErrors")
    void syntaxErrorsSayWhatAndWhere(String route, String expected) {
        assertThat(error(route)).startsWith("Error parsing route r: ").contains(expected);
    }

    @Test
    void stringsTakeBothQuotesAndEscapes() throws Exception {
        var c = compiler.compileCondition("'it\\'s' = \"it's\" AND \"say \\\"hi\\\"\" = 'say \"hi\"' AND '\\\\' = \"\\u005c\" AND '\\u00e9' = 'é'");
        assertThat(c.evaluate(new io.gatehouse.router.internal.condition.EvaluationContext(
                Messages.fromDevice("d").build(), new com.fasterxml.jackson.databind.ObjectMapper()))).isEqualTo(Boolean.TRUE);
    }

    @Test
    void namesLexLikeIotEdge() throws Exception {
        // '-' and '.' belong to names; '$' starts a system property; numbers keep a leading '-'.
        assertThat(compile("FROM /messages/modules/my-module.v2/outputs/out-1 WHERE alert-level = 'high' INTO $upstream")
                .source().prefix()).isEqualTo("/messages/modules/my-module.v2/outputs/out-1");
    }
}
