package io.gatehouse.upstream.internal;

import java.util.Locale;

/** How this gateway talks to its parent, and the port each way listens on by default. */
enum UpstreamProtocol {
    AMQPS(true, 5671, "AMQP/TLS"),
    AMQP(false, 5672, "AMQP"),
    MQTTS(true, 8883, "MQTT/TLS"),
    MQTT(false, 1883, "MQTT");

    private final boolean tls;
    private final int defaultPort;
    private final String label;

    UpstreamProtocol(boolean tls, int defaultPort, String label) {
        this.tls = tls;
        this.defaultPort = defaultPort;
        this.label = label;
    }

    /** {@code amqps}, {@code amqp}, {@code mqtts} or {@code mqtt} in any case; null for anything else. */
    static UpstreamProtocol parse(String text) {
        if (text == null) return null;
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "amqps" -> AMQPS;
            case "amqp" -> AMQP;
            case "mqtts" -> MQTTS;
            case "mqtt" -> MQTT;
            default -> null;
        };
    }

    boolean tls() {
        return tls;
    }

    boolean amqp() {
        return this == AMQPS || this == AMQP;
    }

    int defaultPort() {
        return defaultPort;
    }

    @Override
    public String toString() {
        return label;
    }
}
