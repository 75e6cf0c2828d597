package io.gatehouse.router.internal.condition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.api.message.Message;
import io.gatehouse.api.message.SystemProperties;
import io.gatehouse.router.internal.RouteCompiler;
import io.gatehouse.router.internal.RouteSyntaxException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * What the conformance suite (conformance/conditions.tsv, run by ConformanceTest) cannot see from
 * outside: how often a body is parsed, and conditions compiled without a route around them.
 */
class ConditionTest {
    private final ObjectMapper json = new ObjectMapper();

    private static Message json(String body, Message.Builder b) {
        return b.body(body.getBytes(StandardCharsets.UTF_8))
                .systemProperty(SystemProperties.CONTENT_TYPE, "application/json")
                .systemProperty(SystemProperties.CONTENT_ENCODING, "utf-8").build();
    }

    @Test
    void bodyIsParsedOncePerMessage() {
        EvaluationContext context = new EvaluationContext(json("{\"t\": 1}", Message.builder()), json);
        assertThat(context.jsonBody()).isNotNull().isSameAs(context.jsonBody());
        // A twin notification that declares JSON shares the body tree with $body queries.
        assertThat(context.twinPatch()).isSameAs(context.jsonBody());
    }

    @Test
    void twinPatchWithoutContentTypeIsReadAsUtf8Json() {
        Message twin = Message.builder().body("{\"tags\": {\"a\": 1}}".getBytes(StandardCharsets.UTF_8)).build();
        EvaluationContext context = new EvaluationContext(twin, json);
        assertThat(context.jsonBody()).as("$body needs a declared JSON content type").isNull();
        assertThat(context.twinPatch()).isNotNull().isSameAs(context.twinPatch());
        assertThat(context.twinPatch().path("tags").path("a").asInt()).isEqualTo(1);
    }

    @Test
    void aConditionOnItsOwnHasNoTwinSource() {
        assertThatThrownBy(() -> new RouteCompiler().compileCondition("twin_change_includes(tags.a)"))
                .isInstanceOf(RouteSyntaxException.class)
                .hasMessage("function twin_change_includes is only valid on routes FROM /twinChangeNotifications at line 1, column 1");
        Expr condition = new RouteCompiler().compileCondition("lower(Level) = 'high'");
        assertThat(condition.evaluate(new EvaluationContext(Message.builder().property("level", "HIGH").build(), json)))
                .isEqualTo(Boolean.TRUE);
    }
}
