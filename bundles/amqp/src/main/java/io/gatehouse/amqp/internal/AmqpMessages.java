package io.gatehouse.amqp.internal;

import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.message.Message;
import io.gatehouse.api.message.SystemProperties;
import io.gatehouse.api.route.EndpointIds;
import io.gatehouse.api.store.StoredMessage;
import java.nio.ByteBuffer;
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
 * Converts between AMQP messages and the hub's {@link Message}, with the annotation and property
 * names of IoT Hub (reference §5.6) and of the Azure IoT device SDKs.
 */
final class AmqpMessages {
    static final String OUTPUT_NAME = "iothub-outputname";
    static final String OUTPUT_NAME_OPT = "x-opt-output-name";
    static final String INPUT_NAME = "x-opt-input-name";
    static final String MESSAGE_SCHEMA = "iothub-message-schema";
    static final String CREATION_TIME_UTC = "iothub-creation-time-utc";
    static final String COMPONENT = "dt-subject";
    static final String INTERFACE_ID = "iothub-interface-id";
    static final String CONNECTION_DEVICE_ID = "iothub-connection-device-id";
    static final String CONNECTION_MODULE_ID = "iothub-connection-module-id";
    static final String ENQUEUED_TIME = "iothub-enqueuedtime";
    static final String ACK = "iothub-ack";

    private AmqpMessages() {
    }

    /** A message the hub cannot take as it is; the reason goes into the rejection. */
    static final class InvalidMessageException extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidMessageException(String reason) {
            super(reason);
        }
    }

    /**
     * The telemetry of {@code sender}. Identity, auth method and enqueued time are stamped here;
     * whatever the client put under those names is dropped (invariant 4).
     *
     * @param authMethod how {@code sender} authenticated: {@code sas} or {@code selfSigned}
     */
    static Message toHubMessage(org.apache.qpid.proton.message.Message amqp, IdentityId sender, String modelId,
            String authMethod, long enqueuedMillis) throws InvalidMessageException {
        Message.Builder b = Message.builder().body(bodyOf(amqp.getBody()));
        Properties p = amqp.getProperties();
        if (p != null) {
            b.systemProperty(SystemProperties.MESSAGE_ID, text(p.getMessageId()));
            b.systemProperty(SystemProperties.CORRELATION_ID, text(p.getCorrelationId()));
            b.systemProperty(SystemProperties.CONTENT_TYPE, text(p.getContentType()));
            b.systemProperty(SystemProperties.CONTENT_ENCODING, text(p.getContentEncoding()));
            b.systemProperty(SystemProperties.EXPIRY_TIME, time(p.getAbsoluteExpiryTime()));
            b.systemProperty(SystemProperties.CREATION_TIME, time(p.getCreationTime()));
            b.systemProperty(SystemProperties.USER_ID, text(p.getUserId()));
        }
        ApplicationProperties ap = amqp.getApplicationProperties();
        if (ap != null && ap.getValue() != null) {
            for (Map.Entry<?, ?> e : ((Map<?, ?>) ap.getValue()).entrySet()) {
                if (e.getKey() == null || e.getValue() == null) continue;
                String key = e.getKey().toString();
                String value = text(e.getValue());
                switch (key) {
                    // the Java SDK sends these as application properties
                    case OUTPUT_NAME -> b.systemProperty(SystemProperties.OUTPUT_NAME, value);
                    case CREATION_TIME_UTC -> b.systemProperty(SystemProperties.CREATION_TIME, value);
                    case CONNECTION_DEVICE_ID, CONNECTION_MODULE_ID -> {
                        // the hub's to set
                    }
                    default -> b.property(key, value);
                }
            }
        }
        MessageAnnotations ma = amqp.getMessageAnnotations();
        if (ma != null && ma.getValue() != null) {
            for (Map.Entry<Symbol, Object> e : ma.getValue().entrySet()) {
                if (e.getKey() == null || e.getValue() == null) continue;
                String value = text(e.getValue());
                switch (e.getKey().toString()) {
                    case OUTPUT_NAME, OUTPUT_NAME_OPT -> b.systemProperty(SystemProperties.OUTPUT_NAME, value);
                    case MESSAGE_SCHEMA -> b.systemProperty(SystemProperties.MESSAGE_SCHEMA, value);
                    case CREATION_TIME_UTC -> b.systemProperty(SystemProperties.CREATION_TIME, value);
                    case COMPONENT -> b.systemProperty(SystemProperties.COMPONENT_NAME, value);
                    case INTERFACE_ID -> b.systemProperty(SystemProperties.INTERFACE_ID, value);
                    default -> {
                        // other annotations are the transport's
                    }
                }
            }
        }
        if (modelId != null && !modelId.isEmpty()) b.systemProperty(SystemProperties.MODEL_ID, modelId);
        b.systemProperty(SystemProperties.CONNECTION_DEVICE_ID, sender.deviceId());
        b.systemProperty(SystemProperties.CONNECTION_MODULE_ID, sender.moduleId());
        if (!sender.isModule()) b.systemProperty(SystemProperties.OUTPUT_NAME, null);
        b.systemProperty(SystemProperties.CONNECTION_AUTH_METHOD, authMethod);
        b.systemProperty(SystemProperties.ENQUEUED_TIME, Instant.ofEpochMilli(enqueuedMillis).toString());
        return b.build();
    }

    static byte[] bodyOf(Section body) throws InvalidMessageException {
        if (body == null) return new byte[0];
        if (body instanceof Data data) return bytes(data.getValue());
        if (body instanceof AmqpValue value) {
            Object v = value.getValue();
            if (v == null) return new byte[0];
            if (v instanceof Binary binary) return bytes(binary);
            if (v instanceof String s) return s.getBytes(StandardCharsets.UTF_8);
            throw new InvalidMessageException("the body is an AMQP value of type " + v.getClass().getSimpleName()
                    + "; the hub takes Data sections, or a binary or string value");
        }
        throw new InvalidMessageException("the body is a " + body.getClass().getSimpleName()
                + " section; the hub takes Data sections, or a binary or string value");
    }

    /**
     * A stored message as the hub sends it to a module input ({@code input} set) or as a
     * cloud-to-device message to {@code deviceBoundTo} ({@code /devices/{d}/messages/deviceBound}).
     */
    static org.apache.qpid.proton.message.Message toAmqp(StoredMessage stored, String deviceBoundTo) {
        Message m = stored.message();
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
        if (deviceBoundTo != null) p.setTo(deviceBoundTo);
        amqp.setProperties(p);

        Map<String, Object> application = new LinkedHashMap<>(m.properties());
        Map<Symbol, Object> annotations = new LinkedHashMap<>();
        if (deviceBoundTo != null) {
            String ack = m.systemProperty(SystemProperties.ACK);
            if (ack != null) application.put(ACK, ack);
        } else {
            String input = EndpointIds.inputName(stored.endpointId());
            if (input != null) annotations.put(Symbol.valueOf(INPUT_NAME), input);
            putIfSet(annotations, CONNECTION_DEVICE_ID, m.systemProperty(SystemProperties.CONNECTION_DEVICE_ID));
            putIfSet(annotations, CONNECTION_MODULE_ID, m.systemProperty(SystemProperties.CONNECTION_MODULE_ID));
            putIfSet(annotations, OUTPUT_NAME, m.systemProperty(SystemProperties.OUTPUT_NAME));
            putIfSet(annotations, MESSAGE_SCHEMA, m.systemProperty(SystemProperties.MESSAGE_SCHEMA));
            putIfSet(annotations, CREATION_TIME_UTC, m.systemProperty(SystemProperties.CREATION_TIME));
            putIfSet(annotations, COMPONENT, m.systemProperty(SystemProperties.COMPONENT_NAME));
            Date enqueued = date(m.systemProperty(SystemProperties.ENQUEUED_TIME));
            if (enqueued != null) annotations.put(Symbol.valueOf(ENQUEUED_TIME), enqueued);
        }
        amqp.setApplicationProperties(new ApplicationProperties(application));
        if (!annotations.isEmpty()) amqp.setMessageAnnotations(new MessageAnnotations(annotations));
        // Data, not AmqpValue: the Java SDK reads every received body as a Data section
        amqp.setBody(new Data(new Binary(m.body())));
        return amqp;
    }

    /** Encodes into a buffer sized for the message, growing it only for a body the estimate missed. */
    static byte[] encode(org.apache.qpid.proton.message.Message amqp, int bodyLength) {
        int size = bodyLength + 1024;
        while (true) {
            byte[] buffer = new byte[size];
            try {
                int length = amqp.encode(buffer, 0, buffer.length);
                return java.util.Arrays.copyOf(buffer, length);
            } catch (java.nio.BufferOverflowException e) {
                size *= 2;
            }
        }
    }

    private static void putIfSet(Map<Symbol, Object> map, String key, String value) {
        if (value != null) map.put(Symbol.valueOf(key), value);
    }

    private static byte[] bytes(Binary binary) {
        if (binary == null) return new byte[0];
        ByteBuffer buffer = binary.asByteBuffer();
        byte[] out = new byte[buffer.remaining()];
        buffer.get(out);
        return out;
    }

    private static String text(Object value) {
        if (value == null) return null;
        if (value instanceof Binary binary) return new String(bytes(binary), StandardCharsets.UTF_8);
        if (value instanceof Date date) return date.toInstant().toString();
        return value.toString();
    }

    private static String time(Date date) {
        return date == null ? null : date.toInstant().toString();
    }

    /** An ISO-8601 instant as a date; null for anything else (the property is then left out). */
    private static Date date(String iso) {
        if (iso == null) return null;
        try {
            return Date.from(Instant.parse(iso));
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
