package io.gatehouse.api.method;

import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Calls a direct method on a device or module connected to this gateway. Provided by each protocol
 * head for the clients it holds; {@link #holds} says whether a head can reach the target now.
 */
@ProviderType
public interface MethodInvoker {

    /** Whether the target is connected to this head and subscribed to methods. */
    boolean holds(io.gatehouse.api.identity.IdentityId target);

    /**
     * Sends the request once the target is connected and subscribed (waiting at most its connect
     * timeout) and completes with the answer, or exceptionally with a
     * {@link MethodInvocationException}. Never blocks the caller.
     */
    CompletionStage<MethodResult> invoke(MethodRequest request);

    /**
     * Whether {@link #invoke} waits, within the request's connect timeout, for a target this invoker
     * does not hold yet: true for a protocol head (the client may still connect). An invoker with a
     * fixed set of targets (the agent's {@code $edgeAgent}) answers false and fails any other target
     * at once. A caller whose target nobody holds hands the call to one that waits.
     */
    default boolean waitsForTargets() {
        return true;
    }
}
