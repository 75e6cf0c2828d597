package io.gatehouse.router.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.api.deployment.InvalidConfigurationException;
import io.gatehouse.api.message.Message;
import io.gatehouse.api.message.SystemProperties;
import io.gatehouse.api.route.EndpointIds;
import io.gatehouse.api.route.RouteTarget;
import io.gatehouse.api.route.RouteTestResult;
import io.gatehouse.router.internal.condition.Builtins;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The table-driven conformance suite of the condition language, {@code conformance/conditions.tsv}
 * (its header explains the format). Every case runs through the {@link io.gatehouse.api.route.RouteTester}
 * of a real router component and, for the cases that compile, through a {@link RouteTable} too, so
 * the tester and the router are checked to agree on every case.
 */
class ConformanceTest {
    private static final String RESOURCE = "/conformance/conditions.tsv";
    private static final String ERROR = "error:";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path state;

    private static EdgeHubRouter router;
    private static Suite suite;

    record Case(int line, String condition, String messageName, String expected) {
        boolean isError() {
            return expected.startsWith(ERROR);
        }

        String errorText() {
            return expected.substring(ERROR.length()).strip();
        }
    }

    record Suite(Map<String, Message> messages, List<Case> cases) {
    }

    @BeforeAll
    static void start() throws IOException {
        router = new EdgeHubRouter();
        router.activate(RouterConfigs.config(state, "edge1", ""));
        suite = load();
    }

    @TestFactory
    Stream<DynamicTest> conditions() {
        return suite.cases().stream().map(c -> DynamicTest.dynamicTest(
                "line " + c.line() + ": " + c.condition() + " [" + c.messageName() + "] -> " + c.expected(), () -> check(c)));
    }

    private static void check(Case c) throws Exception {
        Message message = suite.messages().get(c.messageName());
        String source = MessageSources.isTwinChangeNotification(message) ? "/twinChangeNotifications" : "/messages/*";
        String route = "FROM " + source + " WHERE\n" + c.condition() + "\nINTO $upstream";
        if (c.isError()) {
            assertThatThrownBy(() -> router.test(route, message))
                    .isInstanceOf(InvalidConfigurationException.class)
                    .hasMessageStartingWith("Error parsing route: ")
                    .hasMessageContaining(c.errorText())
                    .hasMessageContaining(" at line ");
            return;
        }
        RouteTestResult result = router.test(route, message);
        assertThat(result.condition()).isEqualTo(c.expected());
        assertThat(result.sourceMatches()).isTrue();
        assertThat(result.result()).isEqualTo(c.expected().equals("true") ? "true" : "false");
        assertThat(result.endpointId()).isEqualTo(EndpointIds.UPSTREAM);

        RouteTable table = new RouteTable(List.of(new RouteCompiler().compile(
                new RouteSpec("r", route, RouteTarget.DEFAULT_PRIORITY, 0), "edge1", 7200)), JSON);
        assertThat(table.route(message)).as("the router's decision").hasSize(c.expected().equals("true") ? 1 : 0);
    }

    @Test
    void suiteCoversEveryOperatorAndBuiltinWithValuesAndErrors() {
        assertThat(suite.cases()).hasSizeGreaterThanOrEqualTo(150);
        List<String> functions = new ArrayList<>();
        new Builtins().all().forEach(b -> functions.add(b.name()));
        functions.add(Builtins.TWIN_CHANGE_INCLUDES);
        assertThat(functions).hasSize(24);
        for (String f : functions) {
            assertThat(suite.cases()).as("a case evaluating " + f)
                    .anyMatch(c -> !c.isError() && c.condition().toLowerCase(Locale.ROOT).contains(f + "("));
            assertThat(suite.cases()).as("a compile error of " + f)
                    .anyMatch(c -> c.isError() && c.condition().toLowerCase(Locale.ROOT).startsWith(f + "(")
                            && c.errorText().contains(f));
        }
        for (String op : List.of(" * ", " / ", " % ", " + ", " - ", " || ", " < ", " <= ", " > ", " >= ", " = ", " != ", " <> ",
                " AND ", " OR ", "NOT ", " ?? ")) {
            assertThat(suite.cases()).as("a case evaluating '" + op.strip() + "'").anyMatch(c -> !c.isError() && c.condition().contains(op));
            assertThat(suite.cases()).as("a case refusing '" + op.strip() + "'").anyMatch(c -> c.isError() && c.condition().contains(op));
        }
        for (String result : List.of("true", "false", "undefined")) {
            assertThat(suite.cases()).anyMatch(c -> c.expected().equals(result));
        }
    }

    private static Suite load() throws IOException {
        Map<String, Message> messages = new HashMap<>();
        List<Case> cases = new ArrayList<>();
        List<String> lines;
        try (InputStream in = ConformanceTest.class.getResourceAsStream(RESOURCE)) {
            assertThat(in).as(RESOURCE).isNotNull();
            lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int number = i + 1;
            if (line.isBlank() || line.startsWith("#")) continue;
            if (line.startsWith("@message ")) {
                String[] parts = line.split(" ", 3);
                messages.put(parts[1], message(JSON.readTree(parts[2])));
                continue;
            }
            String[] columns = line.split("\t", -1);
            assertThat(columns).as("line " + number + " has condition, message and expected").hasSize(3);
            String expected = columns[2].strip();
            assertThat(expected).as("line " + number).matches("true|false|undefined|error: .+");
            String name = columns[1].isBlank() ? "m" : columns[1].strip();
            cases.add(new Case(number, columns[0], name, expected));
        }
        for (Case c : cases) {
            assertThat(messages).as("message of line " + c.line()).containsKey(c.messageName());
        }
        return new Suite(messages, cases);
    }

    private static Message message(JsonNode spec) {
        Message.Builder b = Message.builder();
        spec.path("properties").properties().forEach(e -> b.property(e.getKey(), e.getValue().asText()));
        spec.path("system").properties().forEach(e -> b.systemProperty(e.getKey(), e.getValue().asText()));
        JsonNode body = spec.path("body");
        String text = body.isMissingNode() ? "" : body.isTextual() ? body.textValue() : body.toString();
        String encoding = spec.path("system").path(SystemProperties.CONTENT_ENCODING).asText("").toLowerCase(Locale.ROOT);
        Charset charset = switch (encoding) {
            case "utf-16" -> StandardCharsets.UTF_16;
            case "utf-32" -> Charset.forName("UTF-32");
            default -> StandardCharsets.UTF_8;
        };
        return b.body(text.getBytes(charset)).build();
    }
}
