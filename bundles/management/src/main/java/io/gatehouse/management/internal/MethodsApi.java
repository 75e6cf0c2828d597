package io.gatehouse.management.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.method.MethodInvocationException;
import io.gatehouse.api.method.MethodInvoker;
import io.gatehouse.api.method.MethodRequest;
import io.gatehouse.api.method.MethodResult;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code POST /api/twins/{deviceId}[/modules/{moduleId}]/methods} with {@code {methodName,
 * payload, responseTimeoutInSeconds (5–300, default 30), connectTimeoutInSeconds (0–300, default
 * 0)}} (reference §5.7): 200 {@code {status, payload}} from the target, 404 when it is not
 * connected and subscribed, 504 when it does not answer in time, 400 for a bad request. The call
 * goes to the invoker that holds the target: a protocol head for a connected client, the agent's
 * own invoker for {@code {deviceId}/$edgeAgent}. An invoker may fail a call with another status
 * (the agent: 400 for a bad payload, 501 for a method it does not have); that status is answered.
 */
final class MethodsApi {
    private final List<MethodInvoker> invokers;
    private final ObjectMapper mapper;

    MethodsApi(List<MethodInvoker> invokers, ObjectMapper mapper) {
        this.invokers = invokers;
        this.mapper = mapper;
    }

    ApiResponse invoke(IdentityId target, byte[] body) {
        try {
            ObjectNode request = JsonBodies.readObject(mapper, body, "the method request");
            String name = request.path("methodName").asText("");
            if (name.isEmpty()) throw new ApiException(400, "methodName is missing");
            JsonNode payload = request.get("payload");
            String payloadJson = payload == null ? "null" : mapper.writeValueAsString(payload);
            Duration response = Duration.ofSeconds(seconds(request, "responseTimeoutInSeconds", 30, 5));
            Duration connect = Duration.ofSeconds(seconds(request, "connectTimeoutInSeconds", 0, 0));
            MethodInvoker invoker = invokerFor(target);
            MethodResult result = invoker.invoke(new MethodRequest(target, name, payloadJson, response, connect))
                    .toCompletableFuture().get(response.plus(connect).plusSeconds(5).toMillis(), TimeUnit.MILLISECONDS);
            return answer(result);
        } catch (ApiException e) {
            return ApiResponse.error(e.status(), e.reason());
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof MethodInvocationException m) return ApiResponse.error(m.status(), m.getMessage());
            if (cause instanceof IllegalArgumentException bad) return ApiResponse.error(400, bad.getMessage());
            return ApiResponse.error(500, "the method call failed: " + cause);
        } catch (TimeoutException e) {
            return ApiResponse.error(504, "no answer from " + target + " in time");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ApiResponse.error(503, "interrupted while waiting for " + target);
        } catch (IOException e) {
            return ApiResponse.error(400, "could not read the payload: " + e.getMessage());
        }
    }

    private MethodInvoker invokerFor(IdentityId target) throws ApiException {
        for (MethodInvoker i : invokers) {
            if (i.holds(target)) return i;
        }
        // a protocol head waits for the target within the connect timeout, or answers 404; the
        // agent's invoker cannot wait for anyone, so without a head the answer stays "no head"
        for (MethodInvoker i : invokers) {
            if (i.waitsForTargets()) return i;
        }
        throw new ApiException(503, "no protocol head is active to carry the method (bundle io.gatehouse.broker)");
    }

    private ApiResponse answer(MethodResult result) throws IOException {
        ObjectNode body = mapper.createObjectNode();
        body.put("status", result.status());
        String json = result.payloadJson();
        JsonNode payload;
        try {
            payload = json == null || json.isEmpty() ? null : mapper.readTree(json);
        } catch (IOException notJson) {
            payload = mapper.getNodeFactory().textNode(json); // the client sent text: shown as a string
        }
        body.set("payload", payload);
        return ApiResponse.ok(body);
    }

    private static long seconds(ObjectNode request, String field, long defaultValue, long min) throws ApiException {
        JsonNode n = request.get(field);
        if (n == null || n.isNull()) return defaultValue;
        if (!n.canConvertToLong() || n.asLong() < min || n.asLong() > 300) {
            throw new ApiException(400, field + " must be a whole number from " + min + " to 300");
        }
        return n.asLong();
    }
}
