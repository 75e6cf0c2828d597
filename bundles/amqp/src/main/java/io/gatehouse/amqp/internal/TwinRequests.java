package io.gatehouse.amqp.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.twin.Twin;
import io.gatehouse.api.twin.TwinStore;
import io.gatehouse.headsupport.services.ServiceSlot;
import io.gatehouse.headsupport.twin.TwinRequestThread;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Serves the twin GETs and reported patches of every AMQP connection on the twin thread
 * ({@link TwinRequestThread}), with the statuses the MQTT head answers. Every error carries the
 * body {@code {"message": reason}}.
 */
final class TwinRequests implements AutoCloseable {
    private static final byte[] NO_BODY = new byte[0];

    /** The status, the new reported version (-1: none) and the JSON body of an answer. */
    record Answer(int status, long version, byte[] body) {
    }

    private final ObjectMapper json = new ObjectMapper();
    private final TwinRequestThread<Answer> thread;

    /** @param maxQueued requests of all connections waiting for the thread; beyond that they are answered 429 */
    TwinRequests(ServiceSlot<TwinStore> store, int maxQueued) {
        this.thread = new TwinRequestThread<>("Twin requests over AMQP", "gatehouse-amqp-twin", store, maxQueued,
                new TwinRequestThread.Answers<>() {
                    @Override
                    public Answer twin(Twin twin) {
                        return new Answer(200, -1, twinJson(twin));
                    }

                    @Override
                    public Answer reported(long version) {
                        return new Answer(204, version, NO_BODY);
                    }

                    @Override
                    public Answer failed(int status, String reason) {
                        return error(status, reason);
                    }
                });
    }

    /** Serves a request of {@code identity}, then hands the answer to {@code done} on the twin thread. */
    void submit(IdentityId identity, TwinRequestThread.Kind kind, byte[] body, Consumer<Answer> done) {
        thread.submit(identity, kind, new String(body, StandardCharsets.UTF_8), done);
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

    /** Lets the requests already taken finish (each is one store call), then stops the thread. */
    @Override
    public void close() {
        thread.close();
    }
}
