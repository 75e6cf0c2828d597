package io.gatehouse.amqp.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.twin.InvalidTwinException;
import io.gatehouse.api.twin.Twin;
import io.gatehouse.api.twin.TwinStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the twin GETs and reported patches of every AMQP connection on one thread of its own:
 * the twin store writes to disk, which must not stall a network thread, and one thread keeps
 * each link's requests in order. Statuses as the MQTT head answers them: 200 with the twin, 204
 * with the new reported version, 400 with the reason for a refused patch (nothing changed), 429
 * when too many requests wait, 503 without a twin store, 500 when it failed unexpectedly.
 */
final class TwinRequests implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TwinRequests.class);
    private static final byte[] NO_BODY = new byte[0];

    enum Kind { GET, PATCH_REPORTED }

    /** The status, the new reported version (-1: none) and the JSON body of an answer. */
    record Answer(int status, long version, byte[] body) {
    }

    private final ServiceSlot<TwinStore> store;
    private final ThreadPoolExecutor executor;
    private final int maxQueued;
    private final ObjectMapper json = new ObjectMapper();
    /** The cause of the last WARN, so that a store away for an hour is one line, not one per request. */
    private final AtomicReference<String> lastWarning = new AtomicReference<>();

    /** @param maxQueued requests of all connections waiting for the thread; beyond that they are answered 429 */
    TwinRequests(ServiceSlot<TwinStore> store, int maxQueued) {
        this.store = store;
        this.maxQueued = maxQueued;
        this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(maxQueued), r -> {
            Thread t = new Thread(r, "gatehouse-amqp-twin");
            t.setDaemon(true);
            return t;
        });
    }

    /** Serves a request of {@code identity}, then hands the answer to {@code done} on the twin thread. */
    void submit(IdentityId identity, Kind kind, byte[] body, Consumer<Answer> done) {
        try {
            executor.execute(() -> done.accept(serve(identity, kind, body)));
        } catch (RejectedExecutionException e) {
            if (executor.isShutdown()) return; // the head is stopping; the client asks again elsewhen
            warnOnce(maxQueued + " twin requests are waiting already; answering 429");
            done.accept(error(429, "too many twin requests, try again later"));
        }
    }

    private Answer serve(IdentityId identity, Kind kind, byte[] body) {
        TwinStore twins = store.get();
        if (twins == null) {
            warnOnce("no twin store in service (the twin bundle is away); answering 503");
            return error(503, "the twin store is not available, try again later");
        }
        try {
            Answer answer = switch (kind) {
                case GET -> new Answer(200, -1, twinJson(twins.get(identity)));
                case PATCH_REPORTED -> new Answer(204, twins.patchReported(identity, new String(body, StandardCharsets.UTF_8)),
                        NO_BODY);
            };
            if (lastWarning.getAndSet(null) != null) LOG.info("Twin requests over AMQP are served again");
            return answer;
        } catch (InvalidTwinException e) {
            LOG.debug("Refused reported patch of {}: {}", identity, e.getMessage());
            return error(400, e.getMessage());
        } catch (IOException e) {
            warnOnce("the twin store failed (" + e + "); answering 503");
            return error(503, "the twin store failed, try again later");
        } catch (RuntimeException e) {
            warnOnce("the twin store failed unexpectedly (" + e + "); answering 500");
            return error(500, "the twin store failed");
        }
    }

    /** An answer whose body is {@code {"message": reason}}, as the MQTT head writes it. */
    Answer error(int status, String reason) {
        return new Answer(status, -1, bytes(json.createObjectNode().put("message", reason)));
    }

    /** IoT Hub's twin GET body: {@code {"desired":{…,"$version":n},"reported":{…,"$version":m}}}. */
    byte[] twinJson(Twin twin) {
        ObjectNode root = json.createObjectNode();
        root.set("desired", withVersion(twin.desiredJson(), twin.desiredVersion()));
        root.set("reported", withVersion(twin.reportedJson(), twin.reportedVersion()));
        return bytes(root);
    }

    private ObjectNode withVersion(String properties, long version) {
        JsonNode node;
        try {
            node = json.readTree(properties);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the twin store returned properties that are not JSON");
        }
        if (!(node instanceof ObjectNode object)) {
            throw new IllegalStateException("the twin store returned properties that are not a JSON object");
        }
        return object.put("$version", version);
    }

    private byte[] bytes(JsonNode node) {
        try {
            return json.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree did not serialize", e);
        }
    }

    private void warnOnce(String cause) {
        if (!cause.equals(lastWarning.getAndSet(cause))) LOG.warn("Twin requests over AMQP: {}", cause);
    }

    /** Lets the requests already taken finish (each is one store call), then stops the thread. */
    @Override
    public void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(2, TimeUnit.SECONDS)) executor.shutdownNow();
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
