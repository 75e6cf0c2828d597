package io.gatehouse.upstream.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/** The JSON merge patch (RFC 7386) that turns one object into another: removed keys become null. */
final class JsonMergeDiff {

    private JsonMergeDiff() {
    }

    static ObjectNode diff(ObjectNode from, ObjectNode to) {
        ObjectNode patch = JsonNodeFactory.instance.objectNode();
        for (Map.Entry<String, JsonNode> old : from.properties()) {
            if (!to.has(old.getKey())) patch.putNull(old.getKey());
        }
        for (Map.Entry<String, JsonNode> now : to.properties()) {
            JsonNode before = from.get(now.getKey());
            JsonNode after = now.getValue();
            if (before != null && before.isObject() && after.isObject()) {
                ObjectNode inner = diff((ObjectNode) before, (ObjectNode) after);
                if (!inner.isEmpty()) patch.set(now.getKey(), inner);
            } else if (before == null || !before.equals(after)) {
                patch.set(now.getKey(), after.deepCopy());
            }
        }
        return patch;
    }
}
