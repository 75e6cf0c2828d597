package io.gatehouse.amqp.internal;

import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.method.MethodInvocationException;
import io.gatehouse.api.method.MethodRequest;
import io.gatehouse.api.method.MethodResult;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The direct-method calls of the head: a call waits (at most its connect timeout) for its target
 * to have a methods channel (both links attached), goes out with a fresh UUID as correlation-id
 * (the Java SDK echoes it back through {@code UUID.fromString}, so it must be one), and completes
 * with the answer correlated to it on that target's channel, or fails with 404 or 504, as the
 * MQTT head's calls. Timers and completions run on one daemon thread {@code gatehouse-amqp-methods},
 * so no caller's continuation runs on a network thread.
 */
final class MethodCalls {
    private static final Logger LOG = LoggerFactory.getLogger(MethodCalls.class);
    static final String HEAD_STOPPED = "the AMQP head stopped";

    /** Where calls for one identity go: its methods channel on some connection. */
    interface Target {
        IdentityId identity();

        /** Whether both links are still attached (any thread). */
        boolean isActive();

        /** Queues the request onto the channel's event loop; false when the channel is gone. */
        boolean send(UUID correlationId, String methodName, byte[] payload);
    }

    private final ScheduledThreadPoolExecutor timers;
    /** The channel of each identity that can take calls now. */
    private final Map<IdentityId, Target> ready = new ConcurrentHashMap<>();
    /** Calls sent and not answered, by correlation-id. */
    private final Map<String, Call> sent = new ConcurrentHashMap<>();
    /** Calls waiting for their target's channel; guarded by itself. */
    private final Map<IdentityId, List<Call>> waiting = new HashMap<>();
    /** Guarded by {@link #waiting}. */
    private boolean closed;

    private final class Call {
        final UUID id = UUID.randomUUID();
        final MethodRequest request;
        final byte[] payload;
        final CompletableFuture<MethodResult> result = new CompletableFuture<>();
        volatile Target target;
        volatile ScheduledFuture<?> timer;

        Call(MethodRequest request) {
            this.request = request;
            this.payload = request.payloadJson().getBytes(StandardCharsets.UTF_8);
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

    MethodCalls() {
        this.timers = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "gatehouse-amqp-methods");
            t.setDaemon(true);
            return t;
        });
        timers.setRemoveOnCancelPolicy(true); // a call answered at once must not keep its 300 s timer queued
    }

    boolean holds(IdentityId target) {
        Target t = ready.get(target);
        return t != null && t.isActive();
    }

    /** Never blocks: a call that must wait for its target is kept and sent once the target's channel is ready. */
    CompletionStage<MethodResult> invoke(MethodRequest request) {
        String problem = MethodRequestLimits.problem(request);
        if (problem != null) return CompletableFuture.failedFuture(new IllegalArgumentException(problem));
        Call call = new Call(request);
        IdentityId identity = request.target();
        Target target;
        synchronized (waiting) {
            if (closed) {
                call.fail(MethodInvocationException.NOT_CONNECTED, HEAD_STOPPED);
                return call.result;
            }
            target = ready.get(identity);
            if (target == null || !target.isActive()) {
                if (request.connectTimeout().isZero()) {
                    call.fail(MethodInvocationException.NOT_CONNECTED, absence(identity));
                    return call.result;
                }
                waiting.computeIfAbsent(identity, t -> new ArrayList<>()).add(call);
                call.timer = schedule(() -> connectTimedOut(call), request.connectTimeout().toMillis());
                LOG.debug("Method {} for {} waits up to {} for its methods links", request.methodName(), identity,
                        request.connectTimeout());
                return call.result;
            }
        }
        send(call, target);
        return call.result;
    }

    /** Both links of {@code target}'s channel are attached: it takes the calls waiting for it, and the next ones. */
    void ready(Target target) {
        List<Call> calls;
        synchronized (waiting) {
            ready.put(target.identity(), target);
            calls = waiting.remove(target.identity());
        }
        if (calls == null) return;
        for (Call call : calls) {
            call.cancelTimer();
            send(call, target);
        }
    }

    /** A link of {@code target}'s channel is gone: its unanswered calls fail now rather than at their timeout. */
    void gone(Target target) {
        ready.remove(target.identity(), target);
        for (Call call : sent.values()) {
            if (call.target == target && sent.remove(call.id.toString(), call)) {
                call.fail(MethodInvocationException.NOT_CONNECTED, target.identity() + " disconnected before answering");
            }
        }
    }

    private void send(Call call, Target target) {
        call.target = target;
        sent.put(call.id.toString(), call);
        call.timer = schedule(() -> responseTimedOut(call), call.request.responseTimeout().toMillis());
        if (call.timer == null) {
            // close() shut the timers down after this call was put: it may not have seen it
            if (sent.remove(call.id.toString(), call)) call.fail(MethodInvocationException.NOT_CONNECTED, HEAD_STOPPED);
            return;
        }
        if (!target.send(call.id, call.request.methodName(), call.payload) && sent.remove(call.id.toString(), call)) {
            call.fail(MethodInvocationException.NOT_CONNECTED, target.identity() + " disconnected before the call went out");
            return;
        }
        LOG.debug("Method {} sent to {} with correlation-id {}", call.request.methodName(), target.identity(), call.id);
    }

    /**
     * An answer on {@code from}'s channel. Only the call's own target may answer it (identity from
     * authentication, invariant 4); anything else is ignored.
     *
     * @return false when no call waits for this correlation-id (late, or never sent)
     */
    boolean answered(Target from, String correlationId, int status, String payloadJson) {
        Call call = sent.get(correlationId);
        if (call == null || !call.request.target().equals(from.identity())) {
            LOG.debug("{} answered unknown method call {} (late, never sent, or for another identity); ignored",
                    from.identity(), correlationId);
            return false;
        }
        if (!sent.remove(correlationId, call)) return false;
        call.complete(new MethodResult(status, payloadJson));
        return true;
    }

    private void connectTimedOut(Call call) {
        IdentityId identity = call.request.target();
        synchronized (waiting) {
            List<Call> calls = waiting.get(identity);
            if (calls == null || !calls.remove(call)) return; // sent meanwhile
            if (calls.isEmpty()) waiting.remove(identity);
        }
        call.fail(MethodInvocationException.NOT_CONNECTED, absence(identity));
    }

    private void responseTimedOut(Call call) {
        if (sent.remove(call.id.toString(), call)) {
            call.fail(MethodInvocationException.TIMED_OUT, call.request.target() + " did not answer method "
                    + call.request.methodName() + " within " + call.request.responseTimeout().toSeconds() + " s");
        }
    }

    private static String absence(IdentityId target) {
        return target + " has no methods links attached on an AMQP connection (not connected, or not subscribed to direct methods)";
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
            closed = true;
            waiting.values().forEach(pending::addAll);
            waiting.clear();
        }
        // before collecting the sent calls: a call put after this finds its timer refused and fails itself
        timers.shutdownNow();
        for (Call call : sent.values()) {
            if (sent.remove(call.id.toString(), call)) pending.add(call);
        }
        for (Call call : pending) call.fail(MethodInvocationException.NOT_CONNECTED, HEAD_STOPPED);
        ready.clear();
    }
}
