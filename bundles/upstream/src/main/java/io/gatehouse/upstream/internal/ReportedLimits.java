package io.gatehouse.upstream.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** The parent's twin rules a reported document must keep: property names and the size of a side. */
final class ReportedLimits {
    static final int MAX_SIDE_BYTES = 32 * 1024;

    private ReportedLimits() {
    }

    /** Why the parent would refuse this reported document, or null when it would not. */
    static String violation(JsonNode document, ObjectMapper json) {
        String name = badName(document, "");
        if (name != null) return name;
        try {
            int size = json.writeValueAsBytes(document).length;
            if (size > MAX_SIDE_BYTES) return "it is " + size + " bytes, over the " + MAX_SIDE_BYTES + " of a twin side";
        } catch (JsonProcessingException e) {
            return "it cannot be written as JSON: " + e.getMessage();
        }
        return null;
    }

    private static String badName(JsonNode node, String path) {
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                String key = e.getKey();
                String at = path.isEmpty() ? key : path + "/" + key;
                if (key.isEmpty() || key.indexOf('.') >= 0 || key.indexOf('$') >= 0 || key.indexOf(' ') >= 0) {
                    return "the property name '" + at + "' has a '.', '$' or space (or is empty)";
                }
                if (key.getBytes(StandardCharsets.UTF_8).length > 1024) return "the property name '" + at + "' is too long";
                String inner = badName(e.getValue(), at);
                if (inner != null) return inner;
            }
        } else if (node.isArray()) {
            for (JsonNode element : node) {
                String inner = badName(element, path + "[]");
                if (inner != null) return inner;
            }
        }
        return null;
    }
}
