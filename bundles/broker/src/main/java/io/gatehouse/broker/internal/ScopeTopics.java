package io.gatehouse.broker.internal;

/**
 * Gatehouse's device-scope topics, by which a child gateway learns the identities below it from
 * its parent over MQTT (IoT Edge does this over the parent's HTTPS API, which Gatehouse keeps on
 * loopback): it publishes {@code $gatehouse/scope/GET/?$rid={rid}} and gets
 * {@code $gatehouse/scope/res/{status}/?$rid={rid}} on its subscription to
 * {@code $gatehouse/scope/res/#}.
 */
final class ScopeTopics {
    static final String RESPONSES_FILTER = "$gatehouse/scope/res/#";

    private static final String PREFIX = "$gatehouse/";
    private static final String GET = PREFIX + "scope/GET";

    private ScopeTopics() {
    }

    /** Whether the topic is in Gatehouse's own namespace (whether or not it is a valid request). */
    static boolean isGatehouseTopic(String topic) {
        return topic.startsWith(PREFIX);
    }

    /**
     * The {@code $rid} of a scope request (empty when it has none), or null when the topic is not
     * one. The path may end with or without {@code /}; other query parameters are ignored.
     */
    static String requestRid(String topic) {
        int q = topic.indexOf('?');
        String path = q < 0 ? topic : topic.substring(0, q);
        if (path.endsWith("/")) path = path.substring(0, path.length() - 1);
        if (!path.equals(GET)) return null;
        if (q < 0) return "";
        for (String parameter : topic.substring(q + 1).split("&")) {
            if (parameter.startsWith("$rid=")) return parameter.substring("$rid=".length());
        }
        return "";
    }

    /** {@code $gatehouse/scope/res/{status}/?$rid={rid}}. */
    static String response(int status, String rid) {
        return PREFIX + "scope/res/" + status + "/?$rid=" + rid;
    }
}
