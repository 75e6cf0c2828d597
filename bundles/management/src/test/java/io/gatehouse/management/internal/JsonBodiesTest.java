package io.gatehouse.management.internal;

import static io.gatehouse.management.internal.Bodies.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class JsonBodiesTest {
    private final ObjectMapper mapper = JsonBodies.newMapper();

    @Test
    void readsAnObject() throws Exception {
        assertThat(JsonBodies.readObject(mapper, json("{'a': 1.10}"), "x").get("a").decimalValue())
                .hasToString("1.10");
    }

    @Test
    void malformedJsonNamesWhereItWentWrong() {
        assertRefused("{\n  'a': 1,\n  'b' 2\n}", "malformed JSON at line 3, column 7");
    }

    @Test
    void duplicateKeysAreRefused() {
        assertRefused("{'a': 1, 'a': 2}", "Duplicate field 'a'");
    }

    @Test
    void anythingAfterTheValueIsRefused() {
        assertRefused("{'a': 1} {'a': 2}", "malformed JSON");
    }

    @Test
    void anEmptyBodyIsRefused() {
        assertRefused("", "the thing is missing");
        assertRefused("   ", "the thing is missing");
    }

    @Test
    void aValueThatIsNotAnObjectIsRefused() {
        assertRefused("[1]", "the thing must be a JSON object, not an array");
        assertRefused("'text'", "not a string");
    }

    private void assertRefused(String body, String reason) {
        assertThatThrownBy(() -> JsonBodies.readObject(mapper, json(body), "the thing"))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.reason()).contains(reason).doesNotContain("Source");
                });
    }
}
