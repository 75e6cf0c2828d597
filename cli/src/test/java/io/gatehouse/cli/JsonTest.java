package io.gatehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    @SuppressWarnings("unchecked")
    void parsesWhatTheManagementApiAnswers() {
        Object parsed = Json.parse(" [{\"deviceId\":\"a\\\"b\",\"moduleId\":null,\"n\":-12.5e1,\"ok\":true,"
                + "\"list\":[1, 2],\"o\":{},\"u\":\"\\u00e9\\n\"}] ");
        assertThat(parsed).isInstanceOf(List.class);
        Map<String, Object> o = (Map<String, Object>) ((List<Object>) parsed).get(0);
        assertThat(o).containsEntry("deviceId", "a\"b").containsEntry("moduleId", null)
                .containsEntry("n", new BigDecimal("-12.5e1")).containsEntry("ok", true)
                .containsEntry("list", List.of(new BigDecimal("1"), new BigDecimal("2")))
                .containsEntry("o", Map.of()).containsEntry("u", "é\n");
        assertThat(o.keySet()).containsExactly("deviceId", "moduleId", "n", "ok", "list", "o", "u");
    }

    @Test
    void refusesWhatIsNotJson() {
        for (String text : Arrays.asList("", "<html>", "{\"a\" 1}", "[1,]", "{\"a\":1} x", "\"open")) {
            assertThatThrownBy(() -> Json.parse(text)).as(text).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void quotesStringsSoTheyParseBack() {
        String nasty = "q\"b\\s\n\t\u0001é";
        assertThat(Json.parse(Json.quote(nasty))).isEqualTo(nasty);
    }

    @Test
    void prettyPrintsIndentedInTheOrderParsedAndParsesBack() {
        String text = "{\"b\":[1.50,-2E+3,{}],\"a\":{\"s\":\"q\\\"\\n\",\"n\":null,\"t\":true},\"e\":[]}";
        String pretty = Json.pretty(Json.parse(text));
        assertThat(pretty).isEqualTo("{\n  \"b\": [\n    1.50,\n    -2E+3,\n    {}\n  ],\n"
                + "  \"a\": {\n    \"s\": \"q\\\"\\n\",\n    \"n\": null,\n    \"t\": true\n  },\n  \"e\": []\n}");
        assertThat(Json.parse(pretty)).isEqualTo(Json.parse(text));
        assertThat(Json.pretty("x")).isEqualTo("\"x\"");
    }

    @Test
    void compactWritesOneLineWithoutSpacesInTheOrderParsedAndParsesBack() {
        String text = " {\"b\" : [1.50, -2E+3, {}],\n \"a\": {\"s\": \"q\\\" \\n\", \"n\": null, \"t\": true}, \"e\": [ ]} ";
        String compact = Json.compact(Json.parse(text));
        assertThat(compact).isEqualTo("{\"b\":[1.50,-2E+3,{}],\"a\":{\"s\":\"q\\\" \\n\",\"n\":null,\"t\":true},\"e\":[]}");
        assertThat(Json.parse(compact)).isEqualTo(Json.parse(text));
        assertThat(Json.compact(Json.parse("\"x\""))).isEqualTo("\"x\"");
        assertThat(Json.compact(Json.parse("null"))).isEqualTo("null");
        // What the lenient reader takes is written back as strict JSON.
        assertThat(Json.compact(Json.parse("[01, 1., \"\\q\u0001\"]"))).isEqualTo("[1,1,\"q\\u0001\"]");
    }

    @Test
    void aBadUnicodeEscapeIsNotJsonWithItsOffset() {
        assertThatThrownBy(() -> Json.parse("\"\\u00zz\"")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("not JSON: bad \\u escape at offset 3");
    }
}
