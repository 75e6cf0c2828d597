package io.gatehouse.broker.internal;

import io.gatehouse.api.message.Message;
import io.gatehouse.api.message.SystemProperties;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The URL-encoded {@code k=v&k=v} property bag at the end of IoT Hub MQTT topics. Keys starting
 * with {@code $.} are system properties; their wire names map to the hub's internal keys.
 */
final class PropertyBag {

    /** Wire names a client may set. Identity ($.cdid, $.cmid) is never taken from the client. */
    private static final Map<String, String> INBOUND = Map.ofEntries(
            Map.entry("$.mid", SystemProperties.MESSAGE_ID),
            Map.entry("$.cid", SystemProperties.CORRELATION_ID),
            Map.entry("$.to", SystemProperties.TO),
            Map.entry("$.uid", SystemProperties.USER_ID),
            Map.entry("$.ct", SystemProperties.CONTENT_TYPE),
            Map.entry("$.ce", SystemProperties.CONTENT_ENCODING),
            Map.entry("$.exp", SystemProperties.EXPIRY_TIME),
            Map.entry("$.ctime", SystemProperties.CREATION_TIME),
            Map.entry("$.on", SystemProperties.OUTPUT_NAME),
            Map.entry("$.schema", SystemProperties.MESSAGE_SCHEMA),
            Map.entry("$.ifid", SystemProperties.INTERFACE_ID),
            Map.entry("$.sub", SystemProperties.COMPONENT_NAME),
            Map.entry("iothub-operation", SystemProperties.OPERATION),
            Map.entry("ack", SystemProperties.ACK));

    /**
     * Wire names of the internal keys sent to a module input: the inverse of the {@code $.} names
     * a client may set, plus the identity the hub stamped.
     */
    private static final Map<String, String> OUTBOUND = outbound();

    private static Map<String, String> outbound() {
        Map<String, String> out = new HashMap<>();
        INBOUND.forEach((wire, internal) -> {
            if (wire.startsWith("$.")) out.put(internal, wire);
        });
        out.put(SystemProperties.CONNECTION_DEVICE_ID, "$.cdid");
        out.put(SystemProperties.CONNECTION_MODULE_ID, "$.cmid");
        return Map.copyOf(out);
    }

    private PropertyBag() {
    }

    /**
     * Reads a property bag into the builder.
     *
     * @throws IllegalArgumentException when the bag is not valid URL encoding
     */
    static void decode(String bag, Message.Builder into) {
        if (bag == null || bag.isEmpty()) return;
        int start = 0;
        while (start <= bag.length()) {
            int amp = bag.indexOf('&', start);
            int end = amp < 0 ? bag.length() : amp;
            if (end > start) {
                String pair = bag.substring(start, end);
                int eq = pair.indexOf('=');
                String key = decodePart(eq < 0 ? pair : pair.substring(0, eq));
                String value = eq < 0 ? "" : decodePart(pair.substring(eq + 1));
                if (key.startsWith("$.")) {
                    String internal = INBOUND.get(key);
                    if (internal != null) into.systemProperty(internal, value);
                    // other $. keys (including $.cdid/$.cmid) are the hub's to set: ignored
                } else if (INBOUND.containsKey(key)) {
                    into.systemProperty(INBOUND.get(key), value);
                } else {
                    into.property(key, value);
                }
            }
            if (amp < 0) break;
            start = amp + 1;
        }
    }

    /** Encodes application properties, then system properties with their wire names. */
    static String encode(Message message) {
        StringBuilder out = new StringBuilder(64);
        for (Map.Entry<String, String> e : message.properties().entrySet()) {
            append(out, e.getKey(), e.getValue());
        }
        for (Map.Entry<String, String> e : message.systemProperties().entrySet()) {
            String wire = OUTBOUND.get(e.getKey());
            if (wire != null) append(out, wire, e.getValue());
        }
        return out.toString();
    }

    /**
     * The property bag of a cloud-to-device message, as IoT Hub sends it: {@code $.mid},
     * {@code $.to} (always {@code /devices/{d}/messages/deviceBound}), {@code $.cid}, {@code $.ct},
     * {@code $.ce}, {@code $.exp} when set, {@code iothub-ack} from the message's {@code ack}, then the
     * application properties.
     */
    static String encodeCloudToDevice(Message message, String deviceId) {
        StringBuilder out = new StringBuilder(128);
        appendIfSet(out, "$.mid", message.systemProperty(SystemProperties.MESSAGE_ID));
        append(out, "$.to", IotHubTopics.cloudToDeviceAddress(deviceId));
        appendIfSet(out, "$.cid", message.systemProperty(SystemProperties.CORRELATION_ID));
        appendIfSet(out, "$.ct", message.systemProperty(SystemProperties.CONTENT_TYPE));
        appendIfSet(out, "$.ce", message.systemProperty(SystemProperties.CONTENT_ENCODING));
        appendIfSet(out, "$.exp", message.systemProperty(SystemProperties.EXPIRY_TIME));
        appendIfSet(out, "iothub-ack", message.systemProperty(SystemProperties.ACK));
        for (Map.Entry<String, String> e : message.properties().entrySet()) {
            append(out, e.getKey(), e.getValue());
        }
        return out.toString();
    }

    private static void appendIfSet(StringBuilder out, String key, String value) {
        if (value != null) append(out, key, value);
    }

    private static void append(StringBuilder out, String key, String value) {
        if (out.length() > 0) out.append('&');
        out.append(encodePart(key)).append('=').append(encodePart(value));
    }

    private static String decodePart(String s) {
        return s.indexOf('%') < 0 && s.indexOf('+') < 0 ? s : URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    /** Percent-encodes all but RFC 3986 unreserved characters (spaces as %20, not '+'). */
    private static String encodePart(String s) {
        int i = 0;
        while (i < s.length() && isUnreserved(s.charAt(i))) i++;
        if (i == s.length()) return s;
        StringBuilder out = new StringBuilder(s.length() + 16).append(s, 0, i);
        for (byte b : s.substring(i).getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xFF);
            if (isUnreserved(c)) {
                out.append(c);
            } else {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
            }
        }
        return out.toString();
    }

    private static boolean isUnreserved(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '-' || c == '.' || c == '_' || c == '~';
    }
}
