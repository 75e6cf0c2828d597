package io.gatehouse.upstream.internal;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.qpid.proton.message.Message;

/**
 * Requests on an {@link AmqpLinkPair} waiting for their answers, matched by the answer's
 * correlation-id (the request's message-id, or its correlation-id: both are the same id here). An
 * answer to no pending request is not one of these answers.
 */
final class AmqpRequests {
    private final Map<String, CompletableFuture<Message>> pending = new ConcurrentHashMap<>();

    /** Registers a request by its id before it is sent. */
    CompletableFuture<Message> open(Object id) {
        CompletableFuture<Message> f = new CompletableFuture<>();
        pending.put(id.toString(), f);
        return f;
    }

    /** Gives up on a request (it timed out): a late answer is then no answer. */
    void forget(Object id) {
        pending.remove(id.toString());
    }

    /** @return whether {@code reply} answered a pending request */
    boolean complete(Message reply) {
        Object id = reply.getCorrelationId();
        if (id == null) return false;
        CompletableFuture<Message> f = pending.remove(id.toString());
        if (f == null) return false;
        f.complete(reply);
        return true;
    }

    void failAll(String reason) {
        for (String id : pending.keySet()) {
            CompletableFuture<Message> f = pending.remove(id);
            if (f != null) f.completeExceptionally(new UpstreamException(reason));
        }
    }

    /** Waits for an answer, forgetting the request when none comes in time. */
    static Message await(CompletableFuture<Message> answer, long timeoutMillis, String what) throws UpstreamException {
        try {
            return answer.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new UpstreamException(what + ": no answer within " + Math.max(1, timeoutMillis / 1000) + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UpstreamException(what + ": interrupted");
        } catch (ExecutionException e) {
            throw new UpstreamException(what + ": " + e.getCause().getMessage(), e.getCause());
        }
    }

    /** Waits for {@code f}, whatever it holds. */
    static void awaitDone(CompletableFuture<?> f, long timeoutMillis, String what) throws UpstreamException {
        try {
            f.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new UpstreamException(what + ": no answer within " + Math.max(1, timeoutMillis / 1000) + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UpstreamException(what + ": interrupted");
        } catch (ExecutionException e) {
            throw new UpstreamException(what + ": " + e.getCause().getMessage(), e.getCause());
        }
    }
}
