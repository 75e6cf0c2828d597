package io.gatehouse.broker.internal;

/**
 * The twin topics of IoT Hub's MQTT surface: the two requests a client publishes
 * ({@code $iothub/twin/GET/?$rid=…} and {@code $iothub/twin/PATCH/properties/reported/?$rid=…}),
 * the answers and the desired patches the hub publishes back.
 */
final class TwinTopics {
    static final String RESPONSES_FILTER = "$iothub/twin/res/#";
    static final String DESIRED_FILTER = "$iothub/twin/PATCH/properties/desired/#";

    private static final String PREFIX = "$iothub/twin/";
    private static final String GET = PREFIX + "GET";
    private static final String PATCH_REPORTED = PREFIX + "PATCH/properties/reported";

    enum Kind { GET, PATCH_REPORTED }

    /** A twin request; {@code rid} is echoed back as the client wrote it, empty when it gave none. */
    record Request(Kind kind, String rid) {
    }

    private TwinTopics() {
    }

    static boolean isTwinTopic(String topic) {
        return topic.startsWith(PREFIX);
    }

    /**
     * The request a topic names, or null when it is none of the two. The path may end with or
     * without {@code /}; query parameters other than {@code $rid} are ignored.
     */
    static Request parse(String topic) {
        int q = topic.indexOf('?');
        String path = q < 0 ? topic : topic.substring(0, q);
        if (path.endsWith("/")) path = path.substring(0, path.length() - 1);
        Kind kind;
        if (path.equals(GET)) {
            kind = Kind.GET;
        } else if (path.equals(PATCH_REPORTED)) {
            kind = Kind.PATCH_REPORTED;
        } else {
            return null;
        }
        return new Request(kind, q < 0 ? "" : rid(topic.substring(q + 1)));
    }

    private static String rid(String query) {
        for (String parameter : query.split("&")) {
            if (parameter.startsWith("$rid=")) return parameter.substring("$rid=".length());
        }
        return "";
    }

    /** {@code $iothub/twin/res/{status}/?$rid={rid}[&$version={version}]}; a negative version is left out. */
    static String response(int status, String rid, long version) {
        String topic = PREFIX + "res/" + status + "/?$rid=" + rid;
        return version < 0 ? topic : topic + "&$version=" + version;
    }

    static String desiredPatch(long version) {
        return PREFIX + "PATCH/properties/desired/?$version=" + version;
    }
}
