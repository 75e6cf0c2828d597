package io.gatehouse.upstream.internal;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.method.MethodInvocationException;
import io.gatehouse.api.method.MethodInvoker;
import io.gatehouse.api.method.MethodRequest;
import io.gatehouse.api.method.MethodResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays the direct methods the parent calls on a mirrored module's or leaf device's channel to the local
 * {@link MethodInvoker} that holds the target (else the first one that waits for targets, which answers 404 after its
 * connect timeout), and sends the answer back on the call's channel (MQTT:
 * {@code $iothub/methods/res/{status}/?$rid={rid}}; AMQP: the methods link). Nothing runs on the
 * transport's thread: calls are taken on this relay's own thread and answers are sent when the
 * invoker completes.
 */
final class MethodRelay {
    static final String REQUESTS = "$iothub/methods/POST/#";
    static final String REQUEST_PREFIX = "$iothub/methods/POST/";
    static final int BAD_REQUEST = 400;
    static final int UNAVAILABLE = 503;
    static final int FAILED = 500;
    /** Beyond the invoker's own timeouts, in case one never completes: the parent still gets an answer. */
    private static final Duration GUARD = Duration.ofSeconds(5);
    private static final Logger LOG = LoggerFactory.getLogger(MethodRelay.class);

    private final Supplier<List<MethodInvoker>> invokers;
    private final Duration responseTimeout;
    private final Duration connectTimeout;
    private final ObjectMapper json;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "gatehouse-upstream-methods");
        t.setDaemon(true);
        return t;
    });

    MethodRelay(Supplier<List<MethodInvoker>> invokers, Duration responseTimeout, Duration connectTimeout,
            ObjectMapper json) {
        this.invokers = invokers;
        this.responseTimeout = responseTimeout;
        this.connectTimeout = connectTimeout;
        this.json = json;
    }

    /** A call on {@code target}'s channel; returns at once. */
    void requested(IdentityId target, MethodCall call) {
        try {
            executor.execute(() -> relay(target, call));
        } catch (RejectedExecutionException e) {
            // stopping: the parent times the call out
        }
    }

    void stop() {
        executor.shutdownNow();
    }

    private void relay(IdentityId target, MethodCall call) {
        String rid = call.requestId();
        if (rid == null || rid.isEmpty() || call.answer() == null) {
            LOG.warn("the parent called method {} on {} without a request id: it cannot be answered", call.name(),
                    target);
            return;
        }
        byte[] body = call.payload();
        String name = call.name();
        MethodCall.Answer connection = call.answer();
        String payload = body == null || body.length == 0 ? "null" : new String(body, StandardCharsets.UTF_8);
        String refusal = refusal(name, body, payload);
        if (refusal != null) {
            LOG.warn("refused the method call {} on {} from the parent: {}", rid, target, refusal);
            answer(connection, target, rid, BAD_REQUEST, message(refusal));
            return;
        }
        MethodInvoker invoker = pick(target);
        if (invoker == null) {
            // the target's device id is the leaf's own for a leaf below this gateway: not the gateway's name
            answer(connection, target, rid, UNAVAILABLE, message("no direct-method service is available on the gateway "
                    + "that " + target + " connects to"));
            return;
        }
        MethodRequest request = new MethodRequest(target, name, payload, responseTimeout, connectTimeout);
        CompletableFuture<MethodResult> result = new CompletableFuture<>();
        try {
            CompletionStage<MethodResult> stage = invoker.invoke(request);
            stage.whenComplete((r, e) -> {
                if (e != null) result.completeExceptionally(e);
                else result.complete(r);
            });
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
        }
        result.orTimeout(responseTimeout.plus(connectTimeout).plus(GUARD).toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((r, e) -> answered(connection, rid, request, r, e));
    }

    private void answered(MethodCall.Answer connection, String rid, MethodRequest request, MethodResult r,
            Throwable failure) {
        Throwable e = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (e == null && r != null) {
            byte[] body = r.payloadJson() == null ? new byte[0] : r.payloadJson().getBytes(StandardCharsets.UTF_8);
            answer(connection, request.target(), rid, r.status(), body);
        } else if (e instanceof MethodInvocationException m) {
            answer(connection, request.target(), rid, m.status(), message(String.valueOf(m.getMessage())));
        } else if (e instanceof TimeoutException) {
            answer(connection, request.target(), rid, MethodInvocationException.TIMED_OUT, message("method " + request.methodName()
                    + " on " + request.target() + " got no answer within " + responseTimeout.toSeconds() + " s"));
        } else {
            LOG.warn("the method {} on {} failed here", request.methodName(), request.target(), e);
            answer(connection, request.target(), rid, FAILED, message("method " + request.methodName() + " on " + request.target()
                    + " failed on the gateway: " + (e == null ? "no result" : e.toString())));
        }
    }

    private MethodInvoker pick(IdentityId target) {
        List<MethodInvoker> all = invokers.get();
        if (all.isEmpty()) return null;
        for (MethodInvoker i : all) {
            try {
                if (i.holds(target)) return i;
            } catch (RuntimeException e) {
                LOG.debug("a method invoker failed to say whether it holds {}", target, e);
            }
        }
        // a protocol head waits for the target to connect; an invoker of fixed targets (the agent's) never does
        for (MethodInvoker i : all) {
            if (i.waitsForTargets()) return i;
        }
        return all.get(0);
    }

    private String refusal(String name, byte[] body, String payload) {
        if (name == null || name.isEmpty()) return "the call names no method";
        if (name.length() > MethodRequest.MAX_NAME_LENGTH) {
            return "the method name is over " + MethodRequest.MAX_NAME_LENGTH + " characters";
        }
        if (body != null && body.length > MethodRequest.MAX_PAYLOAD_BYTES) {
            return "the payload is " + body.length + " bytes, over " + MethodRequest.MAX_PAYLOAD_BYTES;
        }
        try {
            json.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(payload);
        } catch (IOException e) {
            return "the payload is not JSON";
        }
        return null;
    }

    /** {@code $iothub/methods/POST/{name}/?$rid=…} → name, or null when the topic has none. */
    static String methodName(String topic) {
        if (!topic.startsWith(REQUEST_PREFIX)) return null;
        String rest = topic.substring(REQUEST_PREFIX.length());
        int end = rest.indexOf('/');
        int q = rest.indexOf('?');
        if (end < 0 || (q >= 0 && q < end)) end = q;
        return end < 0 ? rest : rest.substring(0, end);
    }

    private byte[] message(String reason) {
        ObjectNode m = json.createObjectNode();
        m.put("message", reason);
        return m.toString().getBytes(StandardCharsets.UTF_8);
    }

    private void answer(MethodCall.Answer connection, IdentityId target, String rid, int status, byte[] body) {
        try {
            connection.send(status, body);
        } catch (UpstreamException | RuntimeException e) {
            LOG.info("the answer {} to method call {} on {} could not go to the parent: {}", status, rid, target,
                    e.getMessage());
        }
    }
}
