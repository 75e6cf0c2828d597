package io.gatehouse.router.internal.condition;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.api.message.Message;
import io.gatehouse.api.message.SystemProperties;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The streaming reader of body paths against the tree it replaces: for random and hand-picked
 * bodies (valid, broken, repeated keys, every number form, other UTF encodings), a {@code $body}
 * query and {@code twin_change_includes} give exactly what Jackson's {@code readTree} and
 * {@link JsonPath#resolve} give ({@link EvaluationContext#jsonBody()} and
 * {@link EvaluationContext#twinPatch()} still build that tree).
 */
class BodyPathsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] KEYS = {"a", "b", "c", "0", "é", "a.b", "q\\\"k", "t\\u0041"};
    private static final String[] KEY_PATHS = {"a", "b", "c", "0", "é", "q\"k", "tA"};
    private static final String[] NUMBERS = {"0", "-0", "1", "-1", "31.7", "-0.0", "1e3", "1E-2", "-2.5e+10", "123456789012",
            "12345678901234567890123", "-9223372036854775809", "1e400", "-1e400", "0.1", "1.0000000000000002",
            "9007199254740993", "4.9e-324", "2.4e-324", "2147483648", "01", "1.", "-", "1e", ".5"};
    private static final String[] GARBAGE = {" x", "}", "{", ",1", " {\"a\":", "]", "\u0000", " null"};

    @Test
    void randomBodiesGiveWhatTheTreeGives() {
        Random random = new Random(20240501);
        int compared = 0;
        for (int n = 0; n < 4000; n++) {
            String doc = randomValue(random, 0);
            if (random.nextInt(4) == 0) doc = corrupt(random, doc);
            List<JsonPath> paths = new ArrayList<>();
            for (int k = random.nextInt(4) + 1; k > 0; k--) paths.add(randomPath(random));
            String encoding = switch (random.nextInt(10)) {
                case 0 -> "utf-16";
                case 1 -> "utf-32";
                default -> "utf-8";
            };
            compared += compare(doc, encoding, paths);
        }
        assertThat(compared).isGreaterThan(8000);
    }

    @Test
    void handPickedBodiesGiveWhatTheTreeGives() {
        List<JsonPath> paths = List.of(JsonPath.parse("a"), JsonPath.parse("a.b"), JsonPath.parse("a[0]"),
                JsonPath.parse("a[1][0]"), JsonPath.parse("a[0].b"), JsonPath.parse("b"), JsonPath.parse("tags.x"));
        String deep = "[".repeat(900) + "]".repeat(900);
        String tooDeep = "[".repeat(1100) + "]".repeat(1100);
        for (String doc : List.of("", "  ", "null", "5", "\"s\"", "[1]", "{}", "{\"a\":1}", "{\"a\":1} trailing", "{\"a\":1}}",
                "{\"a\":{\"b\":1},\"a\":{\"c\":2}}", "{\"a\":{\"b\":1},\"a\":2}", "{\"a\":2,\"a\":{\"b\":1}}",
                "{\"a\":[[1,2],[3]]}", "{\"a\":[{\"b\":true}],\"b\":null}", "{\"a\":1,\"x\":" + deep + ",\"b\":2}",
                "{\"a\":1,\"x\":" + tooDeep + "}", "{\"a\":1,\"x\":" + "9".repeat(1001) + "}", "{\"a\":1,\"x\":\"\\q\"}",
                "{\"a\":1,\"x\":tru}", "{\"a\":1,", "{\"a\":1,\"b\":2,\"b\":[1", "{'a':1}", "{\"a\":NaN}",
                "\uFEFF{\"a\":1}", "{\"a\":\"caf\u00e9\",\"b\":\"\\ud83d\\ude00\"}")) {
            for (String encoding : List.of("utf-8", "utf-16", "utf-32")) compare(doc, encoding, paths);
        }
    }

    @Test
    void invalidUtf8AfterTheValueMakesTheBodyUndefined() {
        byte[] bytes = "{\"a\":1,\"x\":\"\u00ff\u00ff\"}".getBytes(StandardCharsets.ISO_8859_1);
        EvaluationContext context = new EvaluationContext(message(bytes, "application/json", "utf-8"), JSON);
        assertThat(context.jsonBody()).isNull();
        assertThat(query("a", context)).isEqualTo(Special.UNDEFINED);
    }

    @Test
    void aRepeatedKeyKeepsTheLastValueAndForgetsWhatTheEarlierOneHeld() {
        EvaluationContext context = context("{\"a\":{\"b\":1},\"t\":3,\"a\":{\"c\":2},\"t\":4}");
        BodyPaths paths = BodyPaths.of(List.of(JsonPath.parse("a.b"), JsonPath.parse("a.c"), JsonPath.parse("t")));
        assertThat(new BodyQuery(paths.slot(JsonPath.parse("a.b")), null).evaluate(context)).isEqualTo(Special.NULL);
        assertThat(new BodyQuery(paths.slot(JsonPath.parse("a.c")), null).evaluate(context)).isEqualTo(2.0);
        assertThat(new BodyQuery(paths.slot(JsonPath.parse("t")), null).evaluate(context)).isEqualTo(4.0);
    }

    @Test
    void theBodyIsReadOnceForEveryPathOfTheSet() {
        CountingMapper counting = new CountingMapper();
        BodyPaths paths = BodyPaths.of(List.of(JsonPath.parse("a"), JsonPath.parse("b[1]"), JsonPath.parse("c.d")));
        EvaluationContext context = new EvaluationContext(message("{\"a\":\"x\",\"b\":[1,2],\"c\":{\"d\":true}}".getBytes(StandardCharsets.UTF_8),
                "application/json", "utf-8"), counting, paths);
        assertThat(new BodyQuery(paths.slot(JsonPath.parse("c.d")), null).evaluate(context)).isEqualTo(Boolean.TRUE);
        assertThat(new BodyQuery(paths.slot(JsonPath.parse("b[1]")), null).evaluate(context)).isEqualTo(2.0);
        assertThat(new BodyQuery(paths.slot(JsonPath.parse("a")), null).evaluate(context)).isEqualTo("x");
        assertThat(counting.parsers).isEqualTo(1);
    }

    @Test
    void aPathOutsideTheContextsSetIsStillAnsweredRight() {
        BodyPaths table = BodyPaths.of(List.of(JsonPath.parse("a")));
        BodyPaths other = BodyPaths.of(List.of(JsonPath.parse("b")));
        EvaluationContext context = new EvaluationContext(message("{\"a\":1,\"b\":2}".getBytes(StandardCharsets.UTF_8),
                "application/json", "utf-8"), JSON, table);
        assertThat(new BodyQuery(table.slot(JsonPath.parse("a")), null).evaluate(context)).isEqualTo(1.0);
        assertThat(new BodyQuery(other.slot(JsonPath.parse("b")), null).evaluate(context)).isEqualTo(2.0);
        assertThat(new BodyQuery(table.slot(JsonPath.parse("a")), null).evaluate(context)).isEqualTo(1.0);
    }

    @Test
    void unionHoldsEveryPathOnce() {
        BodyPaths union = BodyPaths.union(List.of(BodyPaths.of(List.of(JsonPath.parse("a"), JsonPath.parse("b"))),
                BodyPaths.NONE, BodyPaths.of(List.of(JsonPath.parse("b"), JsonPath.parse("c[0]")))));
        assertThat(union.paths()).extracting(JsonPath::toString).containsExactly("a", "b", "c[0]");
        assertThat(BodyPaths.union(List.of(BodyPaths.NONE))).isSameAs(BodyPaths.NONE);
    }

    private static int compare(String doc, String encoding, List<JsonPath> paths) {
        Charset charset = encoding.equals("utf-32") ? Charset.forName("UTF-32") : Charset.forName(encoding);
        byte[] bytes = doc.getBytes(charset);
        BodyPaths set = BodyPaths.of(paths);
        Message declared = message(bytes, "application/json", encoding);
        Message twin = message(bytes, null, encoding.equals("utf-8") ? null : encoding);
        EvaluationContext streaming = new EvaluationContext(declared, JSON, set);
        EvaluationContext streamingTwin = new EvaluationContext(twin, JSON, set);
        EvaluationContext tree = new EvaluationContext(declared, JSON);
        EvaluationContext treeTwin = new EvaluationContext(twin, JSON);
        int compared = 0;
        for (JsonPath path : paths) {
            BodyPaths.Slot slot = set.slot(path);
            assertThat(new BodyQuery(slot, null).evaluate(streaming)).as("$body.%s of %s in %s", path, doc, encoding)
                    .isEqualTo(bodyByTree(tree.jsonBody(), path));
            assertThat(new TwinChangeIncludes(slot).evaluate(streamingTwin)).as("twin %s of %s in %s", path, doc, encoding)
                    .isEqualTo(twinByTree(treeTwin.twinPatch(), path));
            compared += 2;
        }
        return compared;
    }

    /** What BodyQuery gave before it read bodies as a stream. */
    private static Object bodyByTree(JsonNode body, JsonPath path) {
        if (body == null) return Special.UNDEFINED;
        JsonNode node = path.resolve(body);
        if (node == null || node.isMissingNode() || node.isNull()) return Special.NULL;
        if (node.isTextual()) return node.textValue();
        if (node.isNumber()) return node.doubleValue();
        if (node.isBoolean()) return node.booleanValue();
        return Special.UNDEFINED;
    }

    /** What TwinChangeIncludes gave before it read bodies as a stream. */
    private static Object twinByTree(JsonNode patch, JsonPath path) {
        if (patch == null) return Special.UNDEFINED;
        JsonNode node = path.resolve(patch);
        return node != null && !node.isNull() && !node.isMissingNode();
    }

    private static String randomValue(Random r, int depth) {
        int kind = r.nextInt(depth > 3 ? 4 : 7);
        switch (kind) {
            case 0: return NUMBERS[r.nextInt(NUMBERS.length)];
            case 1: return List.of("true", "false", "null").get(r.nextInt(3));
            case 2: return List.of("\"s\"", "\"\"", "\"caf\u00e9\"", "\"a\\\"b\\n\\u0041\"", "\"\\ud83d\\ude00\"", "\"x\ty\"").get(r.nextInt(6));
            case 3: return "\"" + "v".repeat(r.nextInt(40)) + "\"";
            case 4: {
                StringBuilder sb = new StringBuilder("[");
                for (int i = r.nextInt(4); i > 0; i--) sb.append(randomValue(r, depth + 1)).append(i > 1 ? "," : "");
                return sb.append(']').toString();
            }
            default: {
                StringBuilder sb = new StringBuilder("{");
                for (int i = r.nextInt(5); i > 0; i--) {
                    sb.append('"').append(KEYS[r.nextInt(KEYS.length)]).append("\":").append(randomValue(r, depth + 1))
                            .append(i > 1 ? "," : "");
                }
                return sb.append('}').toString();
            }
        }
    }

    private static String corrupt(Random r, String doc) {
        switch (r.nextInt(4)) {
            case 0: return doc.substring(0, r.nextInt(doc.length() + 1));
            case 1: return doc + GARBAGE[r.nextInt(GARBAGE.length)];
            case 2: {
                int at = r.nextInt(doc.length());
                return doc.substring(0, at) + "},[\"':x ".charAt(r.nextInt(8)) + doc.substring(at + 1);
            }
            default: return " \n\t" + doc + " \r\n";
        }
    }

    private static JsonPath randomPath(Random r) {
        StringBuilder sb = new StringBuilder(KEY_PATHS[r.nextInt(KEY_PATHS.length)]);
        for (int steps = r.nextInt(3); steps > 0; steps--) {
            if (r.nextBoolean()) sb.append('[').append(r.nextInt(3)).append(']');
            else sb.append('.').append(KEY_PATHS[r.nextInt(KEY_PATHS.length)]);
        }
        return JsonPath.parse(sb.toString());
    }

    private static Object query(String path, EvaluationContext context) {
        return new BodyQuery(BodyPaths.of(List.of(JsonPath.parse(path))).slot(JsonPath.parse(path)), null).evaluate(context);
    }

    private static EvaluationContext context(String body) {
        return new EvaluationContext(message(body.getBytes(StandardCharsets.UTF_8), "application/json", "utf-8"), JSON);
    }

    private static Message message(byte[] body, String contentType, String encoding) {
        Message.Builder b = Message.builder().body(body);
        if (contentType != null) b.systemProperty(SystemProperties.CONTENT_TYPE, contentType);
        if (encoding != null) b.systemProperty(SystemProperties.CONTENT_ENCODING, encoding);
        return b.build();
    }

    /** Counts the parsers opened on UTF-8 bodies: one per message read. */
    private static final class CountingMapper extends ObjectMapper {
        int parsers;

        @Override
        public com.fasterxml.jackson.core.JsonParser createParser(byte[] content) throws java.io.IOException {
            parsers++;
            return super.createParser(content);
        }
    }
}
