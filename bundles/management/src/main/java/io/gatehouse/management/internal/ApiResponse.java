package io.gatehouse.management.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * What an endpoint answers: an HTTP status and a JSON body. Servlets only write it out, so every
 * status an endpoint can give is decided (and tested) outside the servlet container.
 */
public record ApiResponse(int status, JsonNode body) {

    public ApiResponse {
        Objects.requireNonNull(body, "body");
    }

    public static ApiResponse ok(JsonNode body) {
        return new ApiResponse(200, body);
    }

    /** The error shape of the identity, queue and health endpoints: {@code {"error": reason}}. */
    public static ApiResponse error(int status, String reason) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("error", reason);
        return new ApiResponse(status, body);
    }

    /** A 503 for a service that is not there (its bundle is stopped, updating or missing). */
    public static ApiResponse unavailable(String service, String bundleHint) {
        return error(503, service + " is not available: it comes from the " + bundleHint
                + " bundle, which is not active (stopped, updating or not installed)");
    }
}
