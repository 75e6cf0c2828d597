package io.gatehouse.amqp.internal;

import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.method.MethodRequest;
import io.gatehouse.api.method.MethodResult;
import io.gatehouse.headsupport.methods.DirectMethodCalls;
import io.gatehouse.headsupport.methods.MethodRequestLimits;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The direct-method calls of the head ({@link DirectMethodCalls}) over AMQP: a call's target is
 * a methods channel (both links attached), and its call id a fresh UUID sent as correlation-id
 * (the Java SDK echoes it back through {@code UUID.fromString}, so it must be one). Timers and
 * completions run on the daemon thread {@code gatehouse-amqp-methods}.
 */
final class MethodCalls {
    static final String HEAD_STOPPED = "the AMQP head stopped";

    /** Where calls for one identity go: its methods channel on some connection. */
    interface Target {
        IdentityId identity();

        /** Whether both links are still attached (any thread). */
        boolean isActive();

        /** Queues the request onto the channel's event loop; false when the channel is gone. */
        boolean send(UUID correlationId, String methodName, byte[] payload);
    }

    /** The channel of each identity that can take calls now. */
    private final Map<IdentityId, Target> ready = new ConcurrentHashMap<>();
    private final DirectMethodCalls<Target> calls;

    MethodCalls() {
        calls = new DirectMethodCalls<>("gatehouse-amqp-methods", HEAD_STOPPED, MethodRequestLimits::problem,
                () -> UUID.randomUUID().toString(), new DirectMethodCalls.Transport<>() {
                    @Override
                    public Target readyTarget(IdentityId identity) {
                        Target t = ready.get(identity);
                        return t != null && t.isActive() ? t : null;
                    }

                    @Override
                    public String absence(IdentityId identity) {
                        return identity + " has no methods links attached on an AMQP connection (not connected, "
                                + "or not subscribed to direct methods)";
                    }

                    @Override
                    public void send(Target target, String callId, String methodName, byte[] payload,
                            Consumer<String> failed) {
                        if (!target.send(UUID.fromString(callId), methodName, payload)) {
                            failed.accept(target.identity() + " disconnected before the call went out");
                        }
                    }
                });
    }

    boolean holds(IdentityId target) {
        return calls.holds(target);
    }

    /** Never blocks: a call that must wait for its target is kept and sent once the target's channel is ready. */
    CompletionStage<MethodResult> invoke(MethodRequest request) {
        return calls.invoke(request);
    }

    /** Both links of {@code target}'s channel are attached: it takes the calls waiting for it, and the next ones. */
    void ready(Target target) {
        ready.put(target.identity(), target); // before the waiting calls are taken: no call slips between
        calls.targetReady(target.identity(), target);
    }

    /** A link of {@code target}'s channel is gone: its unanswered calls fail now rather than at their timeout. */
    void gone(Target target) {
        ready.remove(target.identity(), target);
        calls.targetGone(target);
    }

    /**
     * An answer on {@code from}'s channel. Only the call's own target may answer it (identity from
     * authentication, invariant 4); anything else is ignored.
     *
     * @return false when no call waits for this correlation-id (late, never sent, or another identity's)
     */
    boolean answered(Target from, String correlationId, int status, String payloadJson) {
        return calls.answered(from.identity(), correlationId, status, payloadJson);
    }

    /** Stops the timers and fails every call still waiting or unanswered. */
    void close() {
        calls.close();
        ready.clear();
    }
}
