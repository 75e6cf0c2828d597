package io.gatehouse.broker.internal;

import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.method.MethodRequest;
import io.gatehouse.api.method.MethodResult;
import io.gatehouse.headsupport.methods.DirectMethodCalls;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttQoS;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The direct-method calls of the head ({@link DirectMethodCalls}) over MQTT: a call's target is
 * a connection subscribed to {@code $iothub/methods/POST/#}; the call goes out QoS 0 with a fresh
 * request id, and the answer is what the target's own identity publishes on
 * {@code $iothub/methods/res/{status}/?$rid={rid}}. Timers and completions run on the daemon
 * thread {@code gatehouse-methods}.
 */
final class MethodCalls {
    static final String HEAD_STOPPED = "the MQTT head stopped";

    private final ConnectionRegistry connections;
    private final AtomicLong lastRid = new AtomicLong();
    private final DirectMethodCalls<MqttConnection> calls;

    MethodCalls(ConnectionRegistry connections) {
        this.connections = connections;
        this.calls = new DirectMethodCalls<>("gatehouse-methods", HEAD_STOPPED, MethodRequestValidator::problem,
                () -> Long.toHexString(lastRid.incrementAndGet()), new DirectMethodCalls.Transport<>() {
                    @Override
                    public MqttConnection readyTarget(IdentityId identity) {
                        MqttConnection connection = connections.get(identity);
                        return ready(connection) ? connection : null;
                    }

                    @Override
                    public String absence(IdentityId identity) {
                        MqttConnection connection = connections.get(identity);
                        return connection == null || !connection.channel().isActive()
                                ? identity + " is not connected"
                                : identity + " is not subscribed to direct methods";
                    }

                    @Override
                    public void send(MqttConnection connection, String rid, String methodName, byte[] payload,
                            Consumer<String> failed) {
                        connection.channel().writeAndFlush(MqttMessageBuilders.publish()
                                .topicName(MethodTopics.request(methodName, rid))
                                .qos(MqttQoS.AT_MOST_ONCE).retained(false)
                                .payload(Unpooled.wrappedBuffer(payload)).build())
                                .addListener(f -> {
                                    if (!f.isSuccess()) failed.accept(connection.identity() + " disconnected before answering");
                                });
                    }
                });
    }

    private static boolean ready(MqttConnection connection) {
        return connection != null && connection.subscribedToMethods() && connection.channel().isActive();
    }

    /** Whether {@code target} can take a call now: connected and subscribed to method requests. */
    boolean holds(IdentityId target) {
        return calls.holds(target);
    }

    /** Never blocks: a call that must wait for its target is kept and sent from whoever makes it ready. */
    CompletionStage<MethodResult> invoke(MethodRequest request) {
        return calls.invoke(request);
    }

    /** Called on the connection's event loop once it subscribed to method requests: sends what waits for it. */
    void subscribed(MqttConnection connection) {
        if (connections.get(connection.identity()) != connection) return; // superseded by a newer connection
        calls.targetReady(connection.identity(), connection);
    }

    /**
     * An answer published by {@code connection}. Only the call's own target may answer it
     * (identity from authentication, invariant 4); anything else is ignored.
     */
    void answered(MqttConnection connection, MethodTopics.Response response, byte[] body) {
        calls.answered(connection.identity(), response.rid(), response.status(),
                body.length == 0 ? null : new String(body, StandardCharsets.UTF_8));
    }

    /** The connection ended: its unanswered calls fail now rather than at their timeout. */
    void disconnected(MqttConnection connection) {
        calls.targetGone(connection);
    }

    /** Stops the timers and fails every call still waiting or unanswered. */
    void close() {
        calls.close();
    }
}
