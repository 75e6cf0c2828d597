package io.gatehouse.twin.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** JSON merge patch (RFC 7386) on Jackson trees, and the patch that turns one object into another. */
final class JsonMergePatch {

    private JsonMergePatch() {
    }

    /** Applies {@code patch} to a copy of {@code target}; neither argument is changed. */
    static ObjectNode apply(ObjectNode target, ObjectNode patch) {
        ObjectNode result = target.deepCopy();
        mergeInto(result, patch);
        return result;
    }

    private static void mergeInto(ObjectNode target, ObjectNode patch) {
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode value = field.getValue();
            if (value.isNull()) {
                target.remove(field.getKey());
            } else if (value.isObject()) {
                JsonNode existing = target.get(field.getKey());
                // RFC 7386: an object patch applied to a non-object starts from an empty object.
                ObjectNode child = existing != null && existing.isObject()
                        ? (ObjectNode) existing
                        : JsonNodeFactory.instance.objectNode();
                mergeInto(child, (ObjectNode) value);
                target.set(field.getKey(), child);
            } else {
                target.set(field.getKey(), value.deepCopy());
            }
        }
    }

    /** The merge patch that turns {@code from} into {@code to}: empty when they are equal. */
    static ObjectNode diff(ObjectNode from, ObjectNode to) {
        ObjectNode patch = JsonNodeFactory.instance.objectNode();
        List<String> removed = new ArrayList<>();
        from.fieldNames().forEachRemaining(name -> {
            if (!to.has(name)) {
                removed.add(name);
            }
        });
        removed.forEach(patch::putNull);
        for (Iterator<Map.Entry<String, JsonNode>> it = to.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode before = from.get(field.getKey());
            JsonNode after = field.getValue();
            if (after.equals(before)) {
                continue;
            }
            if (before != null && before.isObject() && after.isObject()) {
                patch.set(field.getKey(), diff((ObjectNode) before, (ObjectNode) after));
            } else {
                patch.set(field.getKey(), after.deepCopy());
            }
        }
        return patch;
    }
}
