package io.gatehouse.agent.internal.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** JSON trees as immutable plain Java values, so records holding them stay immutable and comparable. */
final class PlainValues {

    private PlainValues() {
    }

    static Object of(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) return null;
        if (node.isTextual()) return node.textValue();
        if (node.isBoolean()) return node.booleanValue();
        if (node.isNumber()) return node.numberValue();
        if (node.isArray()) {
            List<Object> list = new ArrayList<>(node.size());
            node.forEach(e -> list.add(of(e)));
            return Collections.unmodifiableList(list);
        }
        if (node.isObject()) {
            Map<String, Object> map = new LinkedHashMap<>();
            node.properties().forEach(e -> map.put(e.getKey(), of(e.getValue())));
            return Collections.unmodifiableMap(map);
        }
        return node.asText();
    }
}
