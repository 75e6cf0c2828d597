package io.gatehouse.twin.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

final class TwinStoreFixture {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private TwinStoreFixture() {
    }

    /** JSON with single quotes for readability in tests. */
    static String j(String text) {
        return text.replace('\'', '"');
    }

    static JsonNode tree(String json) throws Exception {
        return MAPPER.readTree(json);
    }
}
