package io.gatehouse.broker.internal;

import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.twin.Twin;
import io.gatehouse.api.twin.TwinStore;
import io.gatehouse.headsupport.services.ServiceSlot;
import io.gatehouse.headsupport.twin.TwinRequestThread;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import java.nio.charset.StandardCharsets;

/**
 * Serves the twin requests of every connection on the twin thread ({@link TwinRequestThread}).
 * Answers go out QoS 0, as IoT Hub sends them, and only to a client subscribed to
 * {@code $iothub/twin/res/#}; a QoS 1 request is acknowledged once the store call has returned.
 * A refused patch (400) and a 429 carry {@code {"message": reason}}; the 5xx answers no body.
 */
final class TwinRequests {
    private static final byte[] NO_BODY = new byte[0];

    private final TwinRequestThread<Answer> thread;

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
        this.thread = new TwinRequestThread<>("Twin requests", "gatehouse-twin", store, maxQueued,
                new TwinRequestThread.Answers<>() {
                    @Override
                    public Answer twin(Twin twin) {
                        return new Answer(200, -1, twinJson(twin).getBytes(StandardCharsets.UTF_8));
                    }

                    @Override
                    public Answer reported(long version) {
                        return new Answer(204, version, NO_BODY);
                    }

                    @Override
                    public Answer failed(int status, String reason) {
                        return status >= 500 ? Answer.of(status) : Answer.withMessage(status, reason);
                    }
                });
    }

    /**
     * Queues a request of {@code identity}, the connection's authenticated identity.
     *
     * @param packetId the id to acknowledge, 0 for a QoS 0 request
     */
    void submit(MqttConnection connection, IdentityId identity, TwinTopics.Request request, String body, int packetId) {
        TwinRequestThread.Kind kind = switch (request.kind()) {
            case GET -> TwinRequestThread.Kind.GET;
            case PATCH_REPORTED -> TwinRequestThread.Kind.PATCH_REPORTED;
        };
        thread.submit(identity, kind, body, answer -> send(connection, request.rid(), answer, packetId));
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

    /** Lets the requests already taken finish (each is one store call), then stops the thread. */
    void close() {
        thread.close();
    }
}
