package io.gatehouse.upstream.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.twin.InvalidTwinException;
import io.gatehouse.api.twin.Twin;
import io.gatehouse.api.twin.TwinStore;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The twin store contract in memory: JSON merge patches, a version per side, and the limits of the
 * javadoc that a test can reach (depth, string length, null in arrays); a refused patch changes
 * nothing. Records every desired change the listeners would be told.
 */
final class MemoryTwinStore implements TwinStore {
    record DesiredChange(IdentityId id, String patchJson, long version) {
    }

    private static final class Sides {
        ObjectNode desired;
        long desiredVersion = 1;
        ObjectNode reported;
        long reportedVersion = 1;
    }

    final List<DesiredChange> desiredChanges = new CopyOnWriteArrayList<>();
    private final ObjectMapper json = new ObjectMapper();
    private final Map<IdentityId, Sides> twins = new HashMap<>();

    @Override
    public void validate(String text) throws InvalidTwinException {
        object(text);
    }

    @Override
    public synchronized Twin get(IdentityId id) {
        Sides s = sides(id);
        return new Twin(s.desired.toString(), s.desiredVersion, s.reported.toString(), s.reportedVersion);
    }

    @Override
    public synchronized long patchReported(IdentityId id, String patchJson) throws InvalidTwinException {
        ObjectNode patch = object(patchJson);
        Sides s = sides(id);
        merge(s.reported, patch);
        return ++s.reportedVersion;
    }

    @Override
    public synchronized long patchDesired(IdentityId id, String patchJson) throws InvalidTwinException {
        ObjectNode patch = object(patchJson);
        Sides s = sides(id);
        merge(s.desired, patch);
        s.desiredVersion++;
        desiredChanges.add(new DesiredChange(id, patchJson, s.desiredVersion));
        return s.desiredVersion;
    }

    @Override
    public synchronized long replaceDesired(IdentityId id, String desiredJson) throws InvalidTwinException {
        ObjectNode desired = object(desiredJson);
        Sides s = sides(id);
        if (desired.equals(s.desired)) return s.desiredVersion;
        ObjectNode patch = JsonMergeDiff.diff(s.desired, desired);
        s.desired = desired;
        s.desiredVersion++;
        desiredChanges.add(new DesiredChange(id, patch.toString(), s.desiredVersion));
        return s.desiredVersion;
    }

    @Override
    public synchronized boolean remove(IdentityId id) {
        return twins.remove(id) != null;
    }

    /** The current desired properties of {@code id}, parsed. */
    synchronized JsonNode desired(IdentityId id) {
        return sides(id).desired.deepCopy();
    }

    private Sides sides(IdentityId id) {
        return twins.computeIfAbsent(id, k -> {
            Sides s = new Sides();
            s.desired = json.createObjectNode();
            s.reported = json.createObjectNode();
            return s;
        });
    }

    private ObjectNode object(String text) throws InvalidTwinException {
        JsonNode node;
        try {
            node = json.readTree(text);
        } catch (IOException e) {
            throw new InvalidTwinException("not JSON: " + e.getMessage());
        }
        if (node == null || !node.isObject()) throw new InvalidTwinException("not a JSON object");
        check(node, 1);
        return (ObjectNode) node;
    }

    private static void check(JsonNode node, int depth) throws InvalidTwinException {
        if (depth > 10) throw new InvalidTwinException("deeper than 10");
        if (node.isTextual() && node.asText().length() > 4096) throw new InvalidTwinException("a string over 4096 bytes");
        for (JsonNode child : node) {
            if (node.isArray() && child.isNull()) throw new InvalidTwinException("null inside an array");
            check(child, depth + 1);
        }
    }

    private static void merge(ObjectNode target, ObjectNode patch) {
        for (Map.Entry<String, JsonNode> e : patch.properties()) {
            JsonNode v = e.getValue();
            if (v.isNull()) {
                target.remove(e.getKey());
            } else if (v.isObject() && target.get(e.getKey()) instanceof ObjectNode inner) {
                merge(inner, (ObjectNode) v);
            } else if (v.isObject()) {
                ObjectNode fresh = target.putObject(e.getKey());
                merge(fresh, (ObjectNode) v);
            } else {
                target.set(e.getKey(), v.deepCopy());
            }
        }
    }
}
