package io.gatehouse.broker.internal;

import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.method.MethodInvocationException;
import io.gatehouse.api.method.MethodRequest;
import io.gatehouse.api.method.MethodResult;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttQoS;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The direct-method calls of the head: a call waits (at most its connect timeout) for its target
 * to be connected and subscribed to {@code $iothub/methods/POST/#}, goes out QoS 0 with a fresh
 * request id, and completes with the answer the target's own identity publishes on
 * {@code $iothub/methods/res/{status}/?$rid={rid}}, or fails with 404 or 504. Timers run on one
 * daemon thread {@code gatehouse-methods}, which also completes the callers' stages, so that no
 * caller's continuation ever runs on a network thread.
 */
final class MethodCalls {
    private static final Logger LOG = LoggerFactory.getLogger(MethodCalls.class);
    static final String HEAD_STOPPED = "the MQTT head stopped";

    private final ConnectionRegistry connections;
    private final ScheduledThreadPoolExecutor timers;
    private final AtomicLong lastRid = new AtomicLong();
    /** Calls sent and not answered, by request id. */
    private final Map<String, Call> sent = new ConcurrentHashMap<>();
    /** Calls waiting for their target to connect and subscribe; guarded by itself. */
    private final Map<IdentityId, List<Call>> waiting = new HashMap<>();
    /** Guarded by {@link #waiting}. */
    private boolean closed;

    private final class Call {
        final String rid;
        final MethodRequest request;
        final byte[] payload;
        final CompletableFuture<MethodResult> result = new CompletableFuture<>();
        /** The connection it went to; set once, when sent. */
        volatile MqttConnection connection;
        volatile ScheduledFuture<?> timer;

        Call(String rid, MethodRequest request, byte[] payload) {
            this.rid = rid;
            this.request = request;
            this.payload = payload;
        }

        void complete(MethodResult answer) {
            cancelTimer();
            onTimerThread(() -> result.complete(answer));
        }

        void fail(int status, String reason) {
            cancelTimer();
            MethodInvocationException failure = new MethodInvocationException(status, reason);
            onTimerThread(() -> result.completeExceptionally(failure));
        }

        void cancelTimer() {
            ScheduledFuture<?> t = timer;
            if (t != null) t.cancel(false);
        }
    }

    MethodCalls(ConnectionRegistry connections) {
        this.connections = connections;
        this.timers = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "gatehouse-methods");
            t.setDaemon(true);
            return t;
        });
        timers.setRemoveOnCancelPolicy(true); // a call answered at once must not keep its 300 s timer queued
    }

    /** Whether {@code target} can take a call now: connected and subscribed to method requests. */
    boolean holds(IdentityId target) {
        return ready(connections.get(target));
    }

    private static boolean ready(MqttConnection connection) {
        return connection != null && connection.subscribedToMethods() && connection.channel().isActive();
    }

    /** Never blocks: a call that must wait for its target is kept and sent from whoever makes it ready. */
    CompletionStage<MethodResult> invoke(MethodRequest request) {
        String problem = MethodRequestValidator.problem(request);
        if (problem != null) return CompletableFuture.failedFuture(new IllegalArgumentException(problem));
        Call call = new Call(Long.toHexString(lastRid.incrementAndGet()), request,
                request.payloadJson().getBytes(StandardCharsets.UTF_8));
        IdentityId target = request.target();
        MqttConnection connection;
        synchronized (waiting) {
            if (closed) {
                call.fail(MethodInvocationException.NOT_CONNECTED, HEAD_STOPPED);
                return call.result;
            }
            connection = connections.get(target);
            if (!ready(connection)) {
                if (request.connectTimeout().isZero()) {
                    call.fail(MethodInvocationException.NOT_CONNECTED, absence(target, connection));
                    return call.result;
                }
                waiting.computeIfAbsent(target, t -> new ArrayList<>()).add(call);
                call.timer = schedule(() -> connectTimedOut(call), request.connectTimeout().toMillis());
                LOG.debug("Method {} for {} waits up to {} for it to connect and subscribe",
                        request.methodName(), target, request.connectTimeout());
                return call.result;
            }
        }
        send(call, connection);
        return call.result;
    }

    /** Called on the connection's event loop once it subscribed to method requests: sends what waits for it. */
    void subscribed(MqttConnection connection) {
        if (connections.get(connection.identity()) != connection) return; // superseded by a newer connection
        List<Call> calls;
        synchronized (waiting) {
            calls = waiting.remove(connection.identity());
        }
        if (calls == null) return;
        for (Call call : calls) {
            call.cancelTimer();
            send(call, connection);
        }
    }

    private void send(Call call, MqttConnection connection) {
        call.connection = connection;
        sent.put(call.rid, call);
        call.timer = schedule(() -> responseTimedOut(call), call.request.responseTimeout().toMillis());
        if (call.timer == null) {
            // close() shut the timers down after this call was put: it may not have seen it
            if (sent.remove(call.rid, call)) call.fail(MethodInvocationException.NOT_CONNECTED, HEAD_STOPPED);
            return;
        }
        Channel channel = connection.channel();
        channel.writeAndFlush(MqttMessageBuilders.publish()
                .topicName(MethodTopics.request(call.request.methodName(), call.rid))
                .qos(MqttQoS.AT_MOST_ONCE).retained(false)
                .payload(Unpooled.wrappedBuffer(call.payload)).build())
                .addListener(f -> {
                    if (!f.isSuccess() && sent.remove(call.rid, call)) {
                        call.fail(MethodInvocationException.NOT_CONNECTED,
                                call.request.target() + " disconnected before answering");
                    }
                });
        LOG.debug("Method {} sent to {} with $rid={}", call.request.methodName(), call.request.target(), call.rid);
    }

    /**
     * An answer published by {@code connection}. Only the call's own target may answer it
     * (identity from authentication, invariant 4); anything else is ignored.
     */
    void answered(MqttConnection connection, MethodTopics.Response response, byte[] body) {
        Call call = sent.get(response.rid());
        if (call == null) {
            LOG.debug("{} answered unknown method request $rid={} (late or never sent); ignored",
                    connection.identity(), response.rid());
            return;
        }
        if (!call.request.target().equals(connection.identity())) {
            LOG.debug("{} answered method request $rid={} meant for {}; ignored", connection.identity(),
                    response.rid(), call.request.target());
            return;
        }
        if (!sent.remove(call.rid, call)) return;
        call.complete(new MethodResult(response.status(),
                body.length == 0 ? null : new String(body, StandardCharsets.UTF_8)));
    }

    /** The connection ended: its unanswered calls fail now rather than at their timeout. */
    void disconnected(MqttConnection connection) {
        for (Call call : sent.values()) {
            if (call.connection == connection && sent.remove(call.rid, call)) {
                call.fail(MethodInvocationException.NOT_CONNECTED,
                        call.request.target() + " disconnected before answering");
            }
        }
    }

    private void connectTimedOut(Call call) {
        IdentityId target = call.request.target();
        synchronized (waiting) {
            List<Call> calls = waiting.get(target);
            if (calls == null || !calls.remove(call)) return; // sent meanwhile
            if (calls.isEmpty()) waiting.remove(target);
        }
        call.fail(MethodInvocationException.NOT_CONNECTED, absence(target, connections.get(target)));
    }

    private void responseTimedOut(Call call) {
        if (sent.remove(call.rid, call)) {
            call.fail(MethodInvocationException.TIMED_OUT, call.request.target() + " did not answer method "
                    + call.request.methodName() + " within " + call.request.responseTimeout().toSeconds() + " s");
        }
    }

    private static String absence(IdentityId target, MqttConnection connection) {
        return connection == null || !connection.channel().isActive()
                ? target + " is not connected"
                : target + " is not subscribed to direct methods";
    }

    private ScheduledFuture<?> schedule(Runnable task, long millis) {
        try {
            return timers.schedule(task, millis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            return null; // stopping
        }
    }

    private void onTimerThread(Runnable completion) {
        try {
            timers.execute(completion);
        } catch (RejectedExecutionException e) {
            completion.run(); // the thread is gone (head stopping): complete here rather than never
        }
    }

    /** Stops the timers and fails every call still waiting or unanswered. */
    void close() {
        List<Call> pending = new ArrayList<>();
        synchronized (waiting) {
            closed = true; // no call waits from now on
            waiting.values().forEach(pending::addAll);
            waiting.clear();
        }
        // before collecting the sent calls: a call put after this finds its timer refused and fails itself
        timers.shutdownNow();
        for (Call call : sent.values()) {
            if (sent.remove(call.rid, call)) pending.add(call);
        }
        for (Call call : pending) call.fail(MethodInvocationException.NOT_CONNECTED, HEAD_STOPPED);
    }
}
