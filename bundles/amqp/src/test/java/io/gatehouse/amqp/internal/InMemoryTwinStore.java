package io.gatehouse.amqp.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.twin.DesiredPropertiesListener;
import io.gatehouse.api.twin.InvalidTwinException;
import io.gatehouse.api.twin.Twin;
import io.gatehouse.api.twin.TwinStore;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * The twin store contract in memory, following the api's javadoc: JSON merge patches, versions
 * from 1, a refused patch changes nothing, desired changes told to the listeners. Checks a patch
 * is a JSON object at most 10 deep. Calls can be held, to show who waits for the store.
 */
final class InMemoryTwinStore implements TwinStore {
    private final ObjectMapper json = new ObjectMapper();
    private final Map<IdentityId, Sides> twins = new HashMap<>();
    private final List<DesiredPropertiesListener> listeners = new CopyOnWriteArrayList<>();
    private volatile CountDownLatch gate = new CountDownLatch(0);

    private static final class Sides {
        ObjectNode desired;
        ObjectNode reported;
        long desiredVersion = 1;
        long reportedVersion = 1;
    }

    InMemoryTwinStore addListener(DesiredPropertiesListener listener) {
        listeners.add(listener);
        return this;
    }

    void holdCalls() {
        gate = new CountDownLatch(1);
    }

    void releaseCalls() {
        gate.countDown();
    }

    private void pass() {
        try {
            gate.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void validate(String text) throws InvalidTwinException {
        parse(text);
    }

    private ObjectNode parse(String text) throws InvalidTwinException {
        JsonNode node;
        try {
            node = json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new InvalidTwinException("the patch is not JSON: " + e.getOriginalMessage());
        }
        if (!(node instanceof ObjectNode object)) throw new InvalidTwinException("the patch must be a JSON object");
        if (depth(object) > 10) throw new InvalidTwinException("the patch is nested deeper than 10 levels");
        return object;
    }

    private static int depth(JsonNode node) {
        int deepest = 0;
        for (JsonNode child : node) deepest = Math.max(deepest, depth(child));
        return node.isContainerNode() ? deepest + 1 : 0;
    }

    private Sides sides(IdentityId id) {
        return twins.computeIfAbsent(id, k -> {
            Sides s = new Sides();
            s.desired = json.createObjectNode();
            s.reported = json.createObjectNode();
            return s;
        });
    }

    @Override
    public Twin get(IdentityId id) {
        pass();
        synchronized (this) {
            Sides s = sides(id);
            return new Twin(s.desired.toString(), s.desiredVersion, s.reported.toString(), s.reportedVersion);
        }
    }

    @Override
    public long patchReported(IdentityId id, String patchJson) throws InvalidTwinException {
        pass();
        ObjectNode patch = parse(patchJson);
        synchronized (this) {
            Sides s = sides(id);
            merge(s.reported, patch);
            return ++s.reportedVersion;
        }
    }

    @Override
    public long patchDesired(IdentityId id, String patchJson) throws InvalidTwinException {
        ObjectNode patch = parse(patchJson);
        long version;
        synchronized (this) {
            Sides s = sides(id);
            merge(s.desired, patch);
            version = ++s.desiredVersion;
        }
        String told = patch.deepCopy().put("$version", version).toString();
        for (DesiredPropertiesListener l : listeners) l.desiredChanged(id, told, version);
        return version;
    }

    @Override
    public long replaceDesired(IdentityId id, String desiredJson) throws InvalidTwinException {
        ObjectNode whole = parse(desiredJson);
        ObjectNode difference = json.createObjectNode();
        synchronized (this) {
            Sides s = sides(id);
            for (Iterator<String> names = s.desired.fieldNames(); names.hasNext();) {
                String name = names.next();
                if (!whole.has(name)) difference.putNull(name);
            }
            whole.fields().forEachRemaining(e -> {
                if (!e.getValue().equals(s.desired.get(e.getKey()))) difference.set(e.getKey(), e.getValue());
            });
            if (difference.isEmpty()) return s.desiredVersion;
        }
        return patchDesired(id, difference.toString());
    }

    @Override
    public synchronized boolean remove(IdentityId id) {
        return twins.remove(id) != null;
    }

    private static void merge(ObjectNode target, ObjectNode patch) {
        patch.fields().forEachRemaining(e -> {
            JsonNode value = e.getValue();
            if (value.isNull()) {
                target.remove(e.getKey());
            } else if (value instanceof ObjectNode p && target.get(e.getKey()) instanceof ObjectNode t) {
                merge(t, p);
            } else {
                target.set(e.getKey(), value.deepCopy());
            }
        });
    }
}
