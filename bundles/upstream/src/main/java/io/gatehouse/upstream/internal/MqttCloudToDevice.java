package io.gatehouse.upstream.internal;

import io.gatehouse.api.message.Message;
import io.gatehouse.api.message.SystemProperties;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.Map;

/**
 * The parent's cloud-to-device messages over MQTT: {@code devices/{leaf}/messages/devicebound/{bag}},
 * the bag URL-encoded as IoT Hub sends it ({@code $.mid}, {@code $.to}, {@code $.cid}, {@code $.ct},
 * {@code $.ce}, {@code $.exp}, {@code iothub-ack}, then the application properties), read into the
 * same store message the AMQP relay makes.
 */
final class MqttCloudToDevice {
    private static final Map<String, String> SYSTEM = Map.of(
            "$.mid", SystemProperties.MESSAGE_ID,
            "$.cid", SystemProperties.CORRELATION_ID,
            "$.to", SystemProperties.TO,
            "$.exp", SystemProperties.EXPIRY_TIME,
            "$.ct", SystemProperties.CONTENT_TYPE,
            "$.ce", SystemProperties.CONTENT_ENCODING,
            "$.uid", SystemProperties.USER_ID,
            "$.ctime", SystemProperties.CREATION_TIME,
            AmqpMessageMapping.ACK, SystemProperties.ACK);

    private MqttCloudToDevice() {
    }

    /** {@code devices/{leaf}/messages/devicebound/#}. */
    static String filter(String leaf) {
        return prefix(leaf) + "#";
    }

    /** {@code devices/{leaf}/messages/devicebound/}: where the bag starts. */
    static String prefix(String leaf) {
        return "devices/" + leaf + "/messages/devicebound/";
    }

    /** {@code devices/{leaf}/messages/devicebound} with or without a bag. */
    static boolean isFor(String topic, String leaf) {
        String prefix = prefix(leaf);
        return topic.startsWith(prefix) || topic.equals(prefix.substring(0, prefix.length() - 1));
    }

    /**
     * The store message: the bag's system properties, {@code to} (the parent's, else
     * {@code /devices/{leaf}/messages/deviceBound}), {@code enqueuedTime} = now (MQTT does not carry the
     * parent's), the other keys as properties (other {@code $.} keys are the hub's and dropped); its
     * time to live is what is left until {@code $.exp} (at least 1 s), forever without one.
     */
    static CloudToDeviceRelay.Relayed decode(String topic, String leaf, byte[] payload, Instant now) {
        Message.Builder b = Message.builder().body(payload == null ? new byte[0] : payload);
        String prefix = prefix(leaf);
        String bag = topic.length() > prefix.length() ? topic.substring(prefix.length()) : "";
        if (bag.endsWith("/")) bag = bag.substring(0, bag.length() - 1);
        String to = null;
        String expiry = null;
        for (String pair : bag.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String key = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            String system = SYSTEM.get(key);
            if (system != null) {
                if (system.equals(SystemProperties.TO)) to = value;
                if (system.equals(SystemProperties.EXPIRY_TIME)) expiry = value;
                b.systemProperty(system, value);
            } else if (!key.startsWith("$.")) {
                b.property(key, value);
            }
        }
        if (to == null || to.isEmpty()) {
            b.systemProperty(SystemProperties.TO, "/devices/" + leaf + "/messages/deviceBound");
        }
        b.systemProperty(SystemProperties.ENQUEUED_TIME, now.toString());
        return new CloudToDeviceRelay.Relayed(b.build(), timeToLiveSecs(expiry, now));
    }

    /** Seconds left until {@code expiry} (ISO-8601 or epoch milliseconds), at least 1; -1 for none or unreadable. */
    static long timeToLiveSecs(String expiry, Instant now) {
        Date at = AmqpMessageMapping.date(expiry);
        if (at == null) return -1;
        return Math.max(1, (at.getTime() - now.toEpochMilli() + 999) / 1000);
    }

    /** The parent encodes every part; a malformed escape is kept as it came rather than losing the message. */
    private static String decode(String part) {
        if (part.indexOf('%') < 0 && part.indexOf('+') < 0) return part;
        try {
            return URLDecoder.decode(part, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return part;
        }
    }
}
