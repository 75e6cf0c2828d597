package io.gatehouse.headsupport.methods;

import io.gatehouse.api.method.MethodRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.UnaryOperator;

/**
 * The limits of a direct-method call (reference §5.7): a name of 1–100 characters, a payload of
 * at most 128 KiB, a response timeout of 5–300 s and a connect timeout of 0–300 s. A head whose
 * protocol restricts names further adds its own rule.
 */
public final class MethodRequestLimits {
    public static final Duration MIN_RESPONSE_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration MAX_TIMEOUT = Duration.ofSeconds(300);

    private MethodRequestLimits() {
    }

    /** Why the request cannot be sent, or null when it can. */
    public static String problem(MethodRequest request) {
        return problem(request, name -> null);
    }

    /**
     * Why the request cannot be sent, or null when it can.
     *
     * @param nameRule why a name of the right length is still not one, or null; checked right after the length
     */
    public static String problem(MethodRequest request, UnaryOperator<String> nameRule) {
        String name = request.methodName();
        if (name.isEmpty()) return "the method name is empty";
        if (name.length() > MethodRequest.MAX_NAME_LENGTH) {
            return "the method name is " + name.length() + " characters long; at most " + MethodRequest.MAX_NAME_LENGTH
                    + " are allowed";
        }
        String nameProblem = nameRule.apply(name);
        if (nameProblem != null) return nameProblem;
        int payloadBytes = request.payloadJson().getBytes(StandardCharsets.UTF_8).length;
        if (payloadBytes > MethodRequest.MAX_PAYLOAD_BYTES) {
            return "the payload is " + payloadBytes + " bytes; at most " + MethodRequest.MAX_PAYLOAD_BYTES + " are allowed";
        }
        Duration response = request.responseTimeout();
        if (response.compareTo(MIN_RESPONSE_TIMEOUT) < 0 || response.compareTo(MAX_TIMEOUT) > 0) {
            return "the response timeout must be 5–300 s, was " + seconds(response);
        }
        Duration connect = request.connectTimeout();
        if (connect.isNegative() || connect.compareTo(MAX_TIMEOUT) > 0) {
            return "the connect timeout must be 0–300 s, was " + seconds(connect);
        }
        return null;
    }

    private static String seconds(Duration d) {
        return d.toMillis() / 1000.0 + " s";
    }
}
