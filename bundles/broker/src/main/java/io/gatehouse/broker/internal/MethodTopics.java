package io.gatehouse.broker.internal;

/**
 * The direct-method topics of IoT Hub's MQTT surface: the hub publishes a call on
 * {@code $iothub/methods/POST/{method}/?$rid={rid}} to a client subscribed to
 * {@code $iothub/methods/POST/#}, and the client answers on {@code $iothub/methods/res/{status}/?$rid={rid}}.
 */
final class MethodTopics {
    static final String REQUESTS_FILTER = "$iothub/methods/POST/#";

    private static final String PREFIX = "$iothub/methods/";
    private static final String RESPONSE = PREFIX + "res/";

    /** A client's answer; {@code rid} is empty when the topic carried none. */
    record Response(int status, String rid) {
    }

    private MethodTopics() {
    }

    static boolean isMethodTopic(String topic) {
        return topic.startsWith(PREFIX);
    }

    /**
     * The answer a topic carries, or null when it is not {@code $iothub/methods/res/{status}[/][?…]}
     * with an integer status. Query parameters other than {@code $rid} are ignored.
     */
    static Response parseResponse(String topic) {
        if (!topic.startsWith(RESPONSE)) return null;
        int q = topic.indexOf('?');
        String path = q < 0 ? topic : topic.substring(0, q);
        if (path.endsWith("/")) path = path.substring(0, path.length() - 1);
        String status = path.substring(Math.min(RESPONSE.length(), path.length()));
        if (status.isEmpty() || status.length() > 10) return null;
        int value;
        try {
            value = Integer.parseInt(status);
        } catch (NumberFormatException e) {
            return null;
        }
        return new Response(value, q < 0 ? "" : rid(topic.substring(q + 1)));
    }

    private static String rid(String query) {
        for (String parameter : query.split("&")) {
            if (parameter.startsWith("$rid=")) return parameter.substring("$rid=".length());
        }
        return "";
    }

    /** {@code $iothub/methods/POST/{method}/?$rid={rid}}; the name was validated by {@link MethodRequestValidator}. */
    static String request(String methodName, String rid) {
        return PREFIX + "POST/" + methodName + "/?$rid=" + rid;
    }
}
