package io.gatehouse.api.method;

import io.gatehouse.api.identity.IdentityId;
import java.time.Duration;
import java.util.Objects;

/**
 * A direct-method call (reference §5.7): the target, the method's name (at most 100 characters),
 * its JSON payload (at most 128 KiB), how long to wait for the answer (5–300 s) and for the target
 * to be connected and subscribed (0–300 s).
 */
public record MethodRequest(IdentityId target, String methodName, String payloadJson, Duration responseTimeout,
        Duration connectTimeout) {
    public static final int MAX_NAME_LENGTH = 100;
    public static final int MAX_PAYLOAD_BYTES = 128 * 1024;

    public MethodRequest {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(methodName, "methodName");
        Objects.requireNonNull(payloadJson, "payloadJson");
        Objects.requireNonNull(responseTimeout, "responseTimeout");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
    }
}
