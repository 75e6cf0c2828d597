package io.gatehouse.headsupport.methods;

import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.method.MethodInvocationException;
import io.gatehouse.api.method.MethodRequest;
import io.gatehouse.api.method.MethodResult;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The direct-method calls of a head, whatever its protocol: a call waits (at most its connect
 * timeout) for its target to be ready, goes out with a fresh call id, and completes with the
 * answer its target's own identity gives for that id, or fails with 404 (not there, gone, head
 * stopped) or 504 (no answer in time). Timers run on one daemon thread of its own, which also
 * completes the callers' stages, so that no caller's continuation ever runs on a network thread.
 *
 * @param <T> where calls for one identity go (a connection, a pair of links)
 */
public final class DirectMethodCalls<T> {
    private static final Logger LOG = LoggerFactory.getLogger(DirectMethodCalls.class);

    /** What the protocol does for the calls. */
    public interface Transport<T> {
        /** The target that can take a call for {@code identity} now, or null. */
        T readyTarget(IdentityId identity);

        /** Why {@code identity} cannot take a call now: the reason of its 404. */
        String absence(IdentityId identity);

        /**
         * Sends a call to {@code target}; a send that fails, now or later, is reported to
         * {@code failed} with the reason (the call then fails with 404).
         */
        void send(T target, String callId, String methodName, byte[] payload, Consumer<String> failed);
    }

    private final String headStopped;
    private final Function<MethodRequest, String> limits;
    private final Supplier<String> callIds;
    private final Transport<T> transport;
    private final ScheduledThreadPoolExecutor timers;
    /** Calls sent and not answered, by call id. */
    private final Map<String, Call> sent = new ConcurrentHashMap<>();
    /** Calls waiting for their target to be ready; guarded by itself. */
    private final Map<IdentityId, List<Call>> waiting = new HashMap<>();
    /** Guarded by {@link #waiting}. */
    private boolean closed;

    private final class Call {
        final String id;
        final MethodRequest request;
        final byte[] payload;
        final CompletableFuture<MethodResult> result = new CompletableFuture<>();
        /** Where it went; set once, when sent. */
        volatile T target;
        volatile ScheduledFuture<?> timer;

        Call(String id, MethodRequest request) {
            this.id = id;
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

    /**
     * @param threadName the name of the timer thread
     * @param headStopped the reason calls fail with once the head stopped
     * @param limits why a request cannot be sent, or null ({@link MethodRequestLimits} and the protocol's own)
     * @param callIds a fresh call id each time
     */
    public DirectMethodCalls(String threadName, String headStopped, Function<MethodRequest, String> limits,
            Supplier<String> callIds, Transport<T> transport) {
        this.headStopped = headStopped;
        this.limits = limits;
        this.callIds = callIds;
        this.transport = transport;
        this.timers = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        timers.setRemoveOnCancelPolicy(true); // a call answered at once must not keep its 300 s timer queued
    }

    /** What a head answers while it has no calls object (not active): the request's problem, or 404 {@code headStopped}. */
    public static CompletionStage<MethodResult> refused(String problem, String headStopped) {
        if (problem != null) return CompletableFuture.failedFuture(new IllegalArgumentException(problem));
        return CompletableFuture.failedFuture(new MethodInvocationException(MethodInvocationException.NOT_CONNECTED,
                headStopped));
    }

    /** Whether {@code identity} can take a call now. */
    public boolean holds(IdentityId identity) {
        return transport.readyTarget(identity) != null;
    }

    /**
     * Never blocks: a call that must wait for its target is kept and sent once the target is
     * ready. Fails with {@link IllegalArgumentException} for a request beyond the limits.
     */
    public CompletionStage<MethodResult> invoke(MethodRequest request) {
        String problem = limits.apply(request);
        if (problem != null) return CompletableFuture.failedFuture(new IllegalArgumentException(problem));
        Call call = new Call(callIds.get(), request);
        IdentityId identity = request.target();
        T target;
        synchronized (waiting) {
            if (closed) {
                call.fail(MethodInvocationException.NOT_CONNECTED, headStopped);
                return call.result;
            }
            target = transport.readyTarget(identity);
            if (target == null) {
                if (request.connectTimeout().isZero()) {
                    call.fail(MethodInvocationException.NOT_CONNECTED, transport.absence(identity));
                    return call.result;
                }
                waiting.computeIfAbsent(identity, t -> new ArrayList<>()).add(call);
                call.timer = schedule(() -> connectTimedOut(call), request.connectTimeout().toMillis());
                LOG.debug("Method {} for {} waits up to {} for it to be ready", request.methodName(), identity,
                        request.connectTimeout());
                return call.result;
            }
        }
        send(call, target);
        return call.result;
    }

    /**
     * {@code target} became ready for {@code identity}: it takes the calls waiting for it. The
     * transport must already name it as ready, so that no call can slip between the two.
     */
    public void targetReady(IdentityId identity, T target) {
        List<Call> calls;
        synchronized (waiting) {
            calls = waiting.remove(identity);
        }
        if (calls == null) return;
        for (Call call : calls) {
            call.cancelTimer();
            send(call, target);
        }
    }

    /** {@code target} is gone: its unanswered calls fail now rather than at their timeout. */
    public void targetGone(T target) {
        for (Call call : sent.values()) {
            if (call.target == target && sent.remove(call.id, call)) {
                call.fail(MethodInvocationException.NOT_CONNECTED, call.request.target() + " disconnected before answering");
            }
        }
    }

    private void send(Call call, T target) {
        call.target = target;
        sent.put(call.id, call);
        call.timer = schedule(() -> responseTimedOut(call), call.request.responseTimeout().toMillis());
        if (call.timer == null) {
            // close() shut the timers down after this call was put: it may not have seen it
            if (sent.remove(call.id, call)) call.fail(MethodInvocationException.NOT_CONNECTED, headStopped);
            return;
        }
        transport.send(target, call.id, call.request.methodName(), call.payload, reason -> {
            if (sent.remove(call.id, call)) call.fail(MethodInvocationException.NOT_CONNECTED, reason);
        });
        LOG.debug("Method {} sent to {} as call {}", call.request.methodName(), call.request.target(), call.id);
    }

    /**
     * An answer from {@code from}. Only the call's own target may answer it (identity from
     * authentication, invariant 4); anything else is ignored.
     *
     * @return false when no call of {@code from} waits for this id (late, never sent, or another identity's)
     */
    public boolean answered(IdentityId from, String callId, int status, String payloadJson) {
        Call call = sent.get(callId);
        if (call == null) {
            LOG.debug("{} answered unknown method call {} (late or never sent); ignored", from, callId);
            return false;
        }
        if (!call.request.target().equals(from)) {
            LOG.debug("{} answered method call {} meant for {}; ignored", from, callId, call.request.target());
            return false;
        }
        if (!sent.remove(callId, call)) return false;
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
        call.fail(MethodInvocationException.NOT_CONNECTED, transport.absence(identity));
    }

    private void responseTimedOut(Call call) {
        if (sent.remove(call.id, call)) {
            call.fail(MethodInvocationException.TIMED_OUT, call.request.target() + " did not answer method "
                    + call.request.methodName() + " within " + call.request.responseTimeout().toSeconds() + " s");
        }
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
    public void close() {
        List<Call> pending = new ArrayList<>();
        synchronized (waiting) {
            closed = true; // no call waits from now on
            waiting.values().forEach(pending::addAll);
            waiting.clear();
        }
        // before collecting the sent calls: a call put after this finds its timer refused and fails itself
        timers.shutdownNow();
        for (Call call : sent.values()) {
            if (sent.remove(call.id, call)) pending.add(call);
        }
        for (Call call : pending) call.fail(MethodInvocationException.NOT_CONNECTED, headStopped);
    }
}
