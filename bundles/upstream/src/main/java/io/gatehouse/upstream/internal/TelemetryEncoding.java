package io.gatehouse.upstream.internal;

import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.message.Message;
import io.gatehouse.api.message.SystemProperties;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A stored message as IoT Hub MQTT telemetry (reference §5.3, §5.4): the topic of its sender with
 * the system and application properties in the property bag. The sender's identity is not in the
 * bag: the parent stamps it from the connection.
 */
final class TelemetryEncoding {
    /** What the parent accepts, body plus properties (reference §5.2). */
    static final int MAX_MESSAGE_BYTES = 256 * 1024;
    /** MQTT's limit on a topic name's UTF-8 length. */
    static final int MAX_TOPIC_BYTES = 65_535;

    /** Internal key → wire name, in the order they go into the bag. */
    private static final Map<String, String> WIRE = new LinkedHashMap<>();

    static {
        WIRE.put(SystemProperties.MESSAGE_ID, "$.mid");
        WIRE.put(SystemProperties.CORRELATION_ID, "$.cid");
        WIRE.put(SystemProperties.CONTENT_TYPE, "$.ct");
        WIRE.put(SystemProperties.CONTENT_ENCODING, "$.ce");
        WIRE.put(SystemProperties.OUTPUT_NAME, "$.on");
        WIRE.put(SystemProperties.CREATION_TIME, "$.ctime");
        WIRE.put(SystemProperties.MESSAGE_SCHEMA, "$.schema");
        WIRE.put(SystemProperties.USER_ID, "$.uid");
        WIRE.put(SystemProperties.TO, "$.to");
        WIRE.put(SystemProperties.EXPIRY_TIME, "$.exp");
        WIRE.put(SystemProperties.INTERFACE_ID, "$.ifid");
        WIRE.put(SystemProperties.COMPONENT_NAME, "$.sub");
    }

    private TelemetryEncoding() {
    }

    /** Who sent it, as the hub stamped it; null when it was not stamped. */
    static IdentityId sender(Message m) {
        String device = m.systemProperty(SystemProperties.CONNECTION_DEVICE_ID);
        if (device == null || device.isBlank()) return null;
        return new IdentityId(device, m.systemProperty(SystemProperties.CONNECTION_MODULE_ID));
    }

    /** Why the parent can never take this message, whatever the protocol, or null when it can. */
    static String invalidReason(Message m) {
        if (sender(m) == null) {
            return "no connectionDeviceId: the sender is unknown, so the message cannot be sent on its identity";
        }
        long size = size(m);
        if (size > MAX_MESSAGE_BYTES) {
            return "message is " + size + " bytes (body plus properties), over the " + MAX_MESSAGE_BYTES
                    + " the upstream accepts";
        }
        return null;
    }

    /** Body plus the UTF-8 length of every property name and value. */
    static long size(Message m) {
        long size = m.body().length;
        for (Map<String, String> props : java.util.List.of(m.systemProperties(), m.properties())) {
            for (Map.Entry<String, String> e : props.entrySet()) {
                size += utf8(e.getKey()) + utf8(e.getValue());
            }
        }
        return size;
    }

    /** {@code devices/{d}[/modules/{m}]/messages/events/{propbag}}. */
    static String topic(IdentityId sender, Message m) {
        StringBuilder t = new StringBuilder("devices/").append(sender.deviceId());
        if (sender.isModule()) t.append("/modules/").append(sender.moduleId());
        return t.append("/messages/events/").append(propertyBag(m)).toString();
    }

    static String propertyBag(Message m) {
        StringBuilder bag = new StringBuilder();
        for (Map.Entry<String, String> w : WIRE.entrySet()) {
            String value = m.systemProperty(w.getKey());
            if (value != null) pair(bag, w.getValue(), value);
        }
        for (Map.Entry<String, String> p : m.properties().entrySet()) pair(bag, p.getKey(), p.getValue());
        return bag.toString();
    }

    private static void pair(StringBuilder bag, String key, String value) {
        if (bag.length() > 0) bag.append('&');
        bag.append(encode(key)).append('=').append(encode(value));
    }

    /** RFC 2396 style: a space is %20, never '+', which would read back as a plus. */
    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static int utf8(String s) {
        return s == null ? 0 : s.getBytes(StandardCharsets.UTF_8).length;
    }
}
