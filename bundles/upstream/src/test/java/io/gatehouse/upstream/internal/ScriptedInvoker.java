package io.gatehouse.upstream.internal;

import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.method.MethodInvocationException;
import io.gatehouse.api.method.MethodInvoker;
import io.gatehouse.api.method.MethodRequest;
import io.gatehouse.api.method.MethodResult;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A protocol head's method invoker as the javadoc has it: it holds some targets; a call to one of
 * them is answered by the script (never on the caller's thread), a call to any other one fails with
 * 404, as a head does once the connect timeout has passed.
 */
final class ScriptedInvoker implements MethodInvoker {
    interface Script {
        MethodResult answer(MethodRequest request) throws MethodInvocationException;
    }

    final List<MethodRequest> requests = new CopyOnWriteArrayList<>();
    private final Set<IdentityId> held;
    private final Script script;

    ScriptedInvoker(Set<IdentityId> held, Script script) {
        this.held = Set.copyOf(held);
        this.script = script;
    }

    @Override
    public boolean holds(IdentityId target) {
        return held.contains(target);
    }

    @Override
    public CompletionStage<MethodResult> invoke(MethodRequest request) {
        requests.add(request);
        return CompletableFuture.supplyAsync(() -> {
            try {
                if (!held.contains(request.target())) {
                    throw new MethodInvocationException(MethodInvocationException.NOT_CONNECTED,
                            request.target() + " is not connected");
                }
                return script.answer(request);
            } catch (MethodInvocationException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
    }
}
