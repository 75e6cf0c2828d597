package io.gatehouse.broker.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.twin.DesiredPropertiesListener;
import io.gatehouse.api.twin.InvalidTwinException;
import io.gatehouse.api.twin.Twin;
import io.gatehouse.api.twin.TwinStore;
import java.io.IOException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in for the twin bundle's file store: JSON merge patches kept in memory, one limit
 * checked (a string value at most 4096 characters), calls that can be held or made to fail.
 */
final class InMemoryTwinStore implements TwinStore {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final class Sides {
        ObjectNode desired = JSON.createObjectNode();
        long desiredVersion = 1;
        ObjectNode reported = JSON.createObjectNode();
        long reportedVersion = 1;
    }

    private final Map<IdentityId, Sides> twins = new HashMap<>();
    private final DesiredPropertiesListener listener;
    private volatile CountDownLatch gate;
    private volatile IOException failure;

    InMemoryTwinStore(DesiredPropertiesListener listener) {
        this.listener = listener;
    }

    /** Store calls wait until {@link #release()}. */
    void hold() {
        gate = new CountDownLatch(1);
    }

    void release() {
        CountDownLatch g = gate;
        if (g != null) g.countDown();
    }

    /** Every call throws this from now on (null: work again). */
    void failWith(IOException e) {
        failure = e;
    }

    @Override
    public void validate(String json) throws InvalidTwinException {
        parse(json);
    }

    @Override
    public Twin get(IdentityId id) throws IOException {
        enter();
        synchronized (this) {
            Sides s = twins.getOrDefault(id, new Sides());
            return new Twin(s.desired.toString(), s.desiredVersion, s.reported.toString(), s.reportedVersion);
        }
    }

    @Override
    public long patchReported(IdentityId id, String patchJson) throws InvalidTwinException, IOException {
        enter();
        ObjectNode patch = parse(patchJson);
        synchronized (this) {
            Sides s = twins.computeIfAbsent(id, k -> new Sides());
            merge(s.reported, patch);
            return ++s.reportedVersion;
        }
    }

    @Override
    public long patchDesired(IdentityId id, String patchJson) throws InvalidTwinException, IOException {
        enter();
        ObjectNode patch = parse(patchJson);
        long version;
        synchronized (this) {
            Sides s = twins.computeIfAbsent(id, k -> new Sides());
            merge(s.desired, patch);
            version = ++s.desiredVersion;
        }
        listener.desiredChanged(id, patch.put("$version", version).toString(), version);
        return version;
    }

    @Override
    public long replaceDesired(IdentityId id, String desiredJson) {
        throw new UnsupportedOperationException("not used by the MQTT head");
    }

    @Override
    public synchronized boolean remove(IdentityId id) {
        return twins.remove(id) != null;
    }

    private void enter() throws IOException {
        CountDownLatch g = gate;
        try {
            if (g != null && !g.await(10, TimeUnit.SECONDS)) throw new IOException("held for too long");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        if (failure != null) throw failure;
    }

    private static ObjectNode parse(String json) throws InvalidTwinException {
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new InvalidTwinException("malformed JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) throw new InvalidTwinException("a twin patch must be a JSON object");
        checkStrings(node);
        return (ObjectNode) node;
    }

    private static void checkStrings(JsonNode node) throws InvalidTwinException {
        if (node.isTextual() && node.textValue().length() > 4096) {
            throw new InvalidTwinException("a string value is longer than 4096 bytes");
        }
        for (JsonNode child : node) checkStrings(child);
    }

    private static void merge(ObjectNode target, ObjectNode patch) {
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode value = e.getValue();
            if (value.isNull()) {
                target.remove(e.getKey());
            } else if (value.isObject() && target.get(e.getKey()) instanceof ObjectNode inner) {
                merge(inner, (ObjectNode) value);
            } else {
                target.set(e.getKey(), value.deepCopy());
            }
        }
    }
}
