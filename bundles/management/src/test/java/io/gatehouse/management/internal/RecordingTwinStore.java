package io.gatehouse.management.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.twin.InvalidTwinException;
import io.gatehouse.api.twin.Twin;
import io.gatehouse.api.twin.TwinStore;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Whole-document twins in memory, refusing what is not a JSON object or names a property with a
 * dot (as the twin bundle does); the twin bundle's merge rules and limits are tested there.
 */
class RecordingTwinStore implements TwinStore {
    private final ObjectMapper mapper = new ObjectMapper();
    final Map<IdentityId, Twin> twins = new LinkedHashMap<>();

    @Override
    public void validate(String json) throws InvalidTwinException {
        JsonNode node;
        try {
            node = mapper.readTree(json);
        } catch (IOException e) {
            throw new InvalidTwinException("not JSON");
        }
        if (node == null || !node.isObject()) throw new InvalidTwinException("not a JSON object");
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (e.getKey().contains(".")) throw new InvalidTwinException("property name '" + e.getKey() + "' has a dot");
        }
    }

    @Override
    public synchronized Twin get(IdentityId id) {
        return twins.getOrDefault(id, new Twin("{}", 1, "{}", 1));
    }

    @Override
    public synchronized long patchReported(IdentityId id, String patchJson) throws InvalidTwinException {
        validate(patchJson);
        Twin t = get(id);
        twins.put(id, new Twin(t.desiredJson(), t.desiredVersion(), patchJson, t.reportedVersion() + 1));
        return t.reportedVersion() + 1;
    }

    @Override
    public synchronized long patchDesired(IdentityId id, String patchJson) throws InvalidTwinException, IOException {
        return replaceDesired(id, patchJson);
    }

    @Override
    public synchronized long replaceDesired(IdentityId id, String desiredJson) throws InvalidTwinException, IOException {
        validate(desiredJson);
        Twin t = get(id);
        twins.put(id, new Twin(desiredJson, t.desiredVersion() + 1, t.reportedJson(), t.reportedVersion()));
        return t.desiredVersion() + 1;
    }

    @Override
    public synchronized boolean remove(IdentityId id) {
        return twins.remove(id) != null;
    }
}
