package io.gatehouse.upstream.internal;

import io.gatehouse.api.message.Message;
import io.gatehouse.api.message.SystemProperties;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.messaging.AmqpValue;
import org.apache.qpid.proton.amqp.messaging.ApplicationProperties;
import org.apache.qpid.proton.amqp.messaging.Data;
import org.apache.qpid.proton.amqp.messaging.MessageAnnotations;
import org.apache.qpid.proton.amqp.messaging.Properties;
import org.apache.qpid.proton.amqp.messaging.Section;

/**
 * Store messages as IoT Hub AMQP messages (reference §5.6, and as the parent's AMQP head reads
 * them), and the parent's cloud-to-device messages back into store messages, as the local heads
 * deliver them.
 */
final class AmqpMessageMapping {
    static final String OUTPUT_NAME = "iothub-outputname";
    static final String MESSAGE_SCHEMA = "iothub-message-schema";
    static final String CREATION_TIME_UTC = "iothub-creation-time-utc";
    static final String COMPONENT = "dt-subject";
    static final String INTERFACE_ID = "iothub-interface-id";
    static final String ENQUEUED_TIME = "iothub-enqueuedtime";
    static final String ACK = "iothub-ack";

    private AmqpMessageMapping() {
    }

    /**
     * Telemetry: the properties section, the application properties as they are, the system
     * properties IoT Hub carries as annotations, the body as one Data section. The sender's identity
     * is not in it: the parent stamps it from the link's authenticated identity.
     */
    static org.apache.qpid.proton.message.Message telemetry(Message m) {
        org.apache.qpid.proton.message.Message amqp = org.apache.qpid.proton.message.Message.Factory.create();
        Properties p = new Properties();
        p.setMessageId(m.systemProperty(SystemProperties.MESSAGE_ID));
        p.setCorrelationId(m.systemProperty(SystemProperties.CORRELATION_ID));
        String contentType = m.systemProperty(SystemProperties.CONTENT_TYPE);
        if (contentType != null) p.setContentType(Symbol.valueOf(contentType));
        String contentEncoding = m.systemProperty(SystemProperties.CONTENT_ENCODING);
        if (contentEncoding != null) p.setContentEncoding(Symbol.valueOf(contentEncoding));
        p.setAbsoluteExpiryTime(date(m.systemProperty(SystemProperties.EXPIRY_TIME)));
        p.setCreationTime(date(m.systemProperty(SystemProperties.CREATION_TIME)));
        String userId = m.systemProperty(SystemProperties.USER_ID);
        if (userId != null) p.setUserId(new Binary(userId.getBytes(StandardCharsets.UTF_8)));
        amqp.setProperties(p);
        if (!m.properties().isEmpty()) amqp.setApplicationProperties(new ApplicationProperties(new LinkedHashMap<>(m.properties())));
        Map<Symbol, Object> annotations = new LinkedHashMap<>();
        // the creation time also goes as text: the properties' timestamp keeps milliseconds only
        put(annotations, OUTPUT_NAME, m.systemProperty(SystemProperties.OUTPUT_NAME));
        put(annotations, MESSAGE_SCHEMA, m.systemProperty(SystemProperties.MESSAGE_SCHEMA));
        put(annotations, CREATION_TIME_UTC, m.systemProperty(SystemProperties.CREATION_TIME));
        put(annotations, COMPONENT, m.systemProperty(SystemProperties.COMPONENT_NAME));
        put(annotations, INTERFACE_ID, m.systemProperty(SystemProperties.INTERFACE_ID));
        if (!annotations.isEmpty()) amqp.setMessageAnnotations(new MessageAnnotations(annotations));
        amqp.setBody(new Data(new Binary(m.body())));
        return amqp;
    }

    /**
     * A cloud-to-device message from the parent for {@code leaf}, as the local heads deliver one
     * (the same system properties the management API gives a C2D message): message-id,
     * correlation-id, content type and encoding, expiry, {@code to}, {@code ack} and the enqueued time;
     * the application properties as properties.
     *
     * @throws IllegalArgumentException the body is neither Data nor a binary or string value
     */
    static Message cloudToDevice(org.apache.qpid.proton.message.Message amqp, String leaf, Instant now) {
        Message.Builder b = Message.builder().body(body(amqp.getBody()));
        Properties p = amqp.getProperties();
        if (p != null) {
            b.systemProperty(SystemProperties.MESSAGE_ID, text(p.getMessageId()));
            b.systemProperty(SystemProperties.CORRELATION_ID, text(p.getCorrelationId()));
            b.systemProperty(SystemProperties.CONTENT_TYPE, text(p.getContentType()));
            b.systemProperty(SystemProperties.CONTENT_ENCODING, text(p.getContentEncoding()));
            b.systemProperty(SystemProperties.EXPIRY_TIME, text(p.getAbsoluteExpiryTime()));
            b.systemProperty(SystemProperties.CREATION_TIME, text(p.getCreationTime()));
            b.systemProperty(SystemProperties.USER_ID, text(p.getUserId()));
        }
        b.systemProperty(SystemProperties.TO, "/devices/" + leaf + "/messages/deviceBound");
        ApplicationProperties ap = amqp.getApplicationProperties();
        if (ap != null && ap.getValue() != null) {
            for (Map.Entry<?, ?> e : ((Map<?, ?>) ap.getValue()).entrySet()) {
                if (e.getKey() == null || e.getValue() == null) continue;
                if (ACK.equals(e.getKey().toString())) {
                    b.systemProperty(SystemProperties.ACK, text(e.getValue()));
                } else {
                    b.property(e.getKey().toString(), text(e.getValue()));
                }
            }
        }
        String enqueued = null;
        MessageAnnotations ma = amqp.getMessageAnnotations();
        if (ma != null && ma.getValue() != null) enqueued = text(ma.getValue().get(Symbol.valueOf(ENQUEUED_TIME)));
        b.systemProperty(SystemProperties.ENQUEUED_TIME, enqueued != null ? enqueued : now.toString());
        return b.build();
    }

    /** Seconds the message has left to live from {@code now} (at least 1), or -1 when it never expires. */
    static long timeToLiveSecs(org.apache.qpid.proton.message.Message amqp, Instant now) {
        Properties p = amqp.getProperties();
        Date expiry = p == null ? null : p.getAbsoluteExpiryTime();
        if (expiry == null) return -1;
        long millis = expiry.getTime() - now.toEpochMilli();
        return Math.max(1, (millis + 999) / 1000);
    }

    private static byte[] body(Section body) {
        if (body == null) return new byte[0];
        if (body instanceof Data data) return AmqpLinks.bytes(data.getValue());
        if (body instanceof AmqpValue value) {
            Object v = value.getValue();
            if (v == null) return new byte[0];
            if (v instanceof Binary binary) return AmqpLinks.bytes(binary);
            if (v instanceof String s) return s.getBytes(StandardCharsets.UTF_8);
        }
        throw new IllegalArgumentException("the body is a " + body.getClass().getSimpleName()
                + " that holds no bytes or text");
    }

    private static void put(Map<Symbol, Object> map, String key, String value) {
        if (value != null) map.put(Symbol.valueOf(key), value);
    }

    private static String text(Object value) {
        if (value == null) return null;
        if (value instanceof Binary binary) return new String(AmqpLinks.bytes(binary), StandardCharsets.UTF_8);
        if (value instanceof Date date) return date.toInstant().toString();
        return value.toString();
    }

    /** An ISO-8601 instant (as the heads write times) or epoch milliseconds; null for anything else. */
    static Date date(String text) {
        if (text == null || text.isBlank()) return null;
        try {
            return Date.from(Instant.parse(text.strip()));
        } catch (DateTimeParseException e) {
            try {
                return new Date(Long.parseLong(text.strip()));
            } catch (NumberFormatException notANumber) {
                return null;
            }
        }
    }
}
