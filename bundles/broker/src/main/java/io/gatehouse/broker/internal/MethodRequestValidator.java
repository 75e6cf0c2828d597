package io.gatehouse.broker.internal;

import io.gatehouse.api.method.MethodRequest;
import io.gatehouse.headsupport.methods.MethodRequestLimits;

/**
 * The limits of a direct-method call ({@link MethodRequestLimits}, reference §5.7), and what
 * MQTT adds: the name becomes one level of a topic.
 */
final class MethodRequestValidator {
    private MethodRequestValidator() {
    }

    /** Why the request cannot be sent, or null when it can. */
    static String problem(MethodRequest request) {
        return MethodRequestLimits.problem(request, MethodRequestValidator::topicLevelProblem);
    }

    private static String topicLevelProblem(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            // it becomes one level of an MQTT topic: no level separator, no wildcards, no query start
            if (c == '/' || c == '?' || c == '#' || c == '+' || c == '\u0000') {
                return "the method name may not contain '" + (c == 0 ? "\\u0000" : String.valueOf(c)) + "'";
            }
        }
        return null;
    }
}
