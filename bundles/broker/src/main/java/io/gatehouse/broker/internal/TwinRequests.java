package io.gatehouse.broker.internal;

import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.twin.InvalidTwinException;
import io.gatehouse.api.twin.Twin;
import io.gatehouse.api.twin.TwinStore;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the twin requests of every connection on one thread of its own: the twin store writes
 * to disk, which must not stall a network thread, and one thread keeps each connection's
 * requests in order. Answers go out QoS 0, as IoT Hub sends them, and only to a client
 * subscribed to {@code $iothub/twin/res/#}; a QoS 1 request is acknowledged once the store call
 * has returned.
 */
final class TwinRequests {
    private static final Logger LOG = LoggerFactory.getLogger(TwinRequests.class);
    private static final byte[] NO_BODY = new byte[0];

    private final ServiceSlot<TwinStore> store;
    private final ThreadPoolExecutor executor;
    private final int maxQueued;
    /** The cause of the last WARN, so that a store away for an hour is one line, not one per request. */
    private final AtomicReference<String> lastWarning = new AtomicReference<>();

    private record Answer(int status, long version, byte[] body) {
        static Answer of(int status) {
            return new Answer(status, -1, NO_BODY);
        }

        static Answer withMessage(int status, String message) {
            return new Answer(status, -1, ("{\"message\":" + jsonString(message) + "}").getBytes(StandardCharsets.UTF_8));
        }
    }

    /** @param maxQueued requests of all connections waiting for the thread; beyond that they are answered 429 */
    TwinRequests(ServiceSlot<TwinStore> store, int maxQueued) {
        this.store = store;
        this.maxQueued = maxQueued;
        this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(maxQueued), r -> {
            Thread t = new Thread(r, "gatehouse-twin");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Queues a request of {@code identity}, the connection's authenticated identity.
     *
     * @param packetId the id to acknowledge, 0 for a QoS 0 request
     */
    void submit(MqttConnection connection, IdentityId identity, TwinTopics.Request request, String body, int packetId) {
        try {
            executor.execute(() -> send(connection, request.rid(), serve(identity, request, body), packetId));
        } catch (RejectedExecutionException e) {
            if (executor.isShutdown()) return; // the head is stopping; the client sends it again elsewhen
            warnOnce(maxQueued + " twin requests are waiting already; answering 429");
            send(connection, request.rid(), Answer.withMessage(429, "too many twin requests, try again later"), packetId);
        }
    }

    private Answer serve(IdentityId identity, TwinTopics.Request request, String body) {
        TwinStore twins = store.get();
        if (twins == null) {
            warnOnce("no twin store in service (the twin bundle is away); answering 503");
            return Answer.of(503);
        }
        try {
            Answer answer = switch (request.kind()) {
                case GET -> new Answer(200, -1, twinJson(twins.get(identity)).getBytes(StandardCharsets.UTF_8));
                case PATCH_REPORTED -> new Answer(204, twins.patchReported(identity, body), NO_BODY);
            };
            if (lastWarning.getAndSet(null) != null) LOG.info("Twin requests are served again");
            return answer;
        } catch (InvalidTwinException e) {
            LOG.debug("Refused reported patch of {}: {}", identity, e.getMessage());
            return Answer.withMessage(400, e.getMessage());
        } catch (IOException e) {
            warnOnce("the twin store failed (" + e + "); answering 503");
            return Answer.of(503);
        } catch (RuntimeException e) {
            warnOnce("the twin store failed unexpectedly (" + e + "); answering 500");
            return Answer.of(500);
        }
    }

    /** Answer, then PUBACK: from this thread, written in order on the connection's event loop. */
    private void send(MqttConnection connection, String rid, Answer answer, int packetId) {
        Channel channel = connection.channel();
        if (connection.subscribedToTwinResponses()) {
            channel.write(publish(TwinTopics.response(answer.status(), rid, answer.version()), answer.body()));
        }
        if (packetId != 0) channel.write(MqttMessageBuilders.pubAck().packetId(packetId).build());
        channel.flush();
    }

    /** Sends a desired patch to a connection subscribed to them; nothing is kept for anyone else. */
    static void pushDesired(MqttConnection connection, String patchJson, long version) {
        if (!connection.subscribedToDesiredPatches()) return;
        connection.channel().writeAndFlush(publish(TwinTopics.desiredPatch(version),
                patchJson.getBytes(StandardCharsets.UTF_8)));
    }

    private static MqttPublishMessage publish(String topic, byte[] body) {
        return MqttMessageBuilders.publish().topicName(topic).qos(MqttQoS.AT_MOST_ONCE).retained(false)
                .payload(Unpooled.wrappedBuffer(body)).build();
    }

    /** IoT Hub's twin GET body: {@code {"desired":{…,"$version":n},"reported":{…,"$version":m}}}. */
    static String twinJson(Twin twin) {
        return "{\"desired\":" + withVersion(twin.desiredJson(), twin.desiredVersion())
                + ",\"reported\":" + withVersion(twin.reportedJson(), twin.reportedVersion()) + "}";
    }

    private static String withVersion(String object, long version) {
        String o = object.strip();
        if (o.length() < 2 || o.charAt(0) != '{' || o.charAt(o.length() - 1) != '}') {
            throw new IllegalStateException("the twin store returned properties that are not a JSON object");
        }
        String members = o.substring(1, o.length() - 1).strip();
        return "{" + members + (members.isEmpty() ? "" : ",") + "\"$version\":" + version + "}";
    }

    static String jsonString(String text) {
        StringBuilder b = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.append('"').toString();
    }

    private void warnOnce(String cause) {
        if (!cause.equals(lastWarning.getAndSet(cause))) LOG.warn("Twin requests: {}", cause);
    }

    /** Lets the requests already taken finish (each is one store call), then stops the thread. */
    void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(2, TimeUnit.SECONDS)) executor.shutdownNow();
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
