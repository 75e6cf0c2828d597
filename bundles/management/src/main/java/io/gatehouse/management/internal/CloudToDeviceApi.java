package io.gatehouse.management.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.identity.IdentityRegistry;
import io.gatehouse.api.message.Message;
import io.gatehouse.api.message.SystemProperties;
import io.gatehouse.api.route.EndpointIds;
import io.gatehouse.api.route.RouteTarget;
import io.gatehouse.api.store.MessageStore;
import io.gatehouse.api.store.QueueStatus;
import io.gatehouse.api.store.StoreException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /api/devices/{deviceId}/messages/devicebound}: the operator plays IoT Hub's part on a
 * gateway with no upstream (root mode) and sends a cloud-to-device message (POST), or asks how
 * many wait (GET). The message goes to the store's queue {@code $c2d/{deviceId}}, which the
 * protocol head delivers to the device when it is connected and subscribed. IoT Hub's limits hold:
 * a body of at most 64 KiB, at most 50 messages waiting per device, a time to live of at most 48 h.
 */
final class CloudToDeviceApi {
    private static final Logger LOG = LoggerFactory.getLogger(CloudToDeviceApi.class);
    static final int MAX_BODY_BYTES = 64 * 1024;
    static final int MAX_PENDING = 50;
    static final long DEFAULT_TTL_SECONDS = 3600;
    static final long MAX_TTL_SECONDS = 48 * 3600;
    /** IoT Hub's limit on a message id. */
    static final int MAX_ID_CHARS = 128;
    private static final List<String> FIELDS = List.of("body", "properties", "messageId", "correlationId", "contentType",
            "contentEncoding", "ttlSeconds", "ack");
    private static final List<String> ACKS = List.of("none", "positive", "negative", "full");
    private static final String DEVICEBOUND = "messages/devicebound";

    private final IdentityRegistry registry;
    private final MessageStore store;
    private final ObjectMapper mapper;
    private final Clock clock;
    /** Held from counting a device's queue to appending to it, so that two sends cannot both take the 50th place. */
    private final Object sendLock;

    CloudToDeviceApi(IdentityRegistry registry, MessageStore store, ObjectMapper mapper, Clock clock, Object sendLock) {
        this.registry = registry;
        this.store = store;
        this.mapper = mapper;
        this.clock = clock;
        this.sendLock = sendLock;
    }

    /** POST: queues one message for the device; 202 {@code {messageId, deviceId, queued}}. */
    ApiResponse send(String path, byte[] body) {
        String deviceId;
        Message message;
        long ttlSeconds;
        try {
            deviceId = deviceFromPath(path);
            if (registry == null) return ApiResponse.unavailable("the identity registry", "io.gatehouse.auth");
            if (registry.get(IdentityId.device(deviceId)).isEmpty()) {
                return ApiResponse.error(404, "device " + deviceId + " is not registered");
            }
            ObjectNode request = JsonBodies.readObject(mapper, body, "the message");
            JsonBodies.rejectUnknownFields(request, FIELDS, "");
            ttlSeconds = ttlSeconds(request);
            message = message(deviceId, request, ttlSeconds);
        } catch (ApiException e) {
            return ApiResponse.error(e.status(), e.reason());
        }
        if (store == null) return ApiResponse.unavailable("the message store", "io.gatehouse.store");
        String queue = EndpointIds.cloudToDevice(deviceId);
        synchronized (sendLock) {
            long pending = waiting(queue);
            if (pending >= MAX_PENDING) {
                return ApiResponse.error(429, "device " + deviceId + " already has " + pending + " cloud-to-device "
                        + "messages waiting, the most IoT Hub queues for a device (" + MAX_PENDING + "); send again "
                        + "once it has taken some, or when they expire");
            }
            try {
                store.append(message, List.of(new RouteTarget(queue, 0, ttlSeconds)));
            } catch (StoreException e) {
                return ApiResponse.error(507, "the store could not queue the message for " + deviceId + ": "
                        + e.getMessage());
            }
        }
        String messageId = message.systemProperty(SystemProperties.MESSAGE_ID);
        LOG.info("Queued cloud-to-device message {} for {} ({} bytes, ttl {} s)", messageId, deviceId,
                message.body().length, ttlSeconds);
        ObjectNode answer = mapper.createObjectNode();
        answer.put("messageId", messageId);
        answer.put("deviceId", deviceId);
        answer.put("queued", true);
        return new ApiResponse(202, answer);
    }

    /** GET: {@code {deviceId, pending}}, the messages waiting in the device's queue. */
    ApiResponse pending(String path) {
        String deviceId;
        try {
            deviceId = deviceFromPath(path);
        } catch (ApiException e) {
            return ApiResponse.error(e.status(), e.reason());
        }
        if (store == null) return ApiResponse.unavailable("the message store", "io.gatehouse.store");
        ObjectNode answer = mapper.createObjectNode();
        answer.put("deviceId", deviceId);
        answer.put("pending", waiting(EndpointIds.cloudToDevice(deviceId)));
        return ApiResponse.ok(answer);
    }

    /**
     * Every priority of the queue; {@code pending} may still count messages that expired and were
     * not skipped yet, so a full queue can refuse a little longer than IoT Hub would.
     */
    private long waiting(String queue) {
        return store.queues().stream().filter(q -> q.endpointId().equals(queue)).mapToLong(QueueStatus::pending).sum();
    }

    /** {@code /{deviceId}/messages/devicebound}; a module's path is a 400, anything else a 404. */
    static String deviceFromPath(String path) throws ApiException {
        String[] parts = path == null ? new String[0] : path.split("/", -1);
        if (parts.length == 4 && parts[0].isEmpty() && !parts[1].isEmpty()
                && (parts[2] + "/" + parts[3]).equals(DEVICEBOUND)) {
            return parts[1];
        }
        if (parts.length == 6 && parts[0].isEmpty() && parts[2].equals("modules")
                && (parts[4] + "/" + parts[5]).equals(DEVICEBOUND)) {
            throw new ApiException(400, "cloud-to-device messages go to devices, not to modules: use "
                    + "/api/devices/{deviceId}/messages/devicebound");
        }
        throw new ApiException(404, "no such resource /api/devices" + (path == null ? "" : path)
                + "; this endpoint serves /api/devices/{deviceId}/messages/devicebound");
    }

    private Message message(String deviceId, ObjectNode request, long ttlSeconds) throws ApiException {
        JsonNode bodyNode = request.get("body");
        if (bodyNode == null || bodyNode.isNull()) throw new ApiException(400, "body is required (\"\" for an empty one)");
        String text = JsonBodies.string(bodyNode, "body");
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        if (body.length > MAX_BODY_BYTES) {
            throw new ApiException(413, "the body is " + body.length + " bytes; a cloud-to-device message holds at most "
                    + MAX_BODY_BYTES + " (IoT Hub's limit)");
        }
        String messageId = JsonBodies.text(request, "messageId", false, "");
        checkId("messageId", messageId);
        String correlationId = JsonBodies.text(request, "correlationId", false, "");
        checkId("correlationId", correlationId);
        String ack = JsonBodies.text(request, "ack", false, "");
        if (ack != null && !ACKS.contains(ack)) {
            throw new ApiException(400, "ack must be one of " + String.join(", ", ACKS) + ", not \"" + ack + "\"");
        }
        Instant now = clock.instant();
        Message.Builder b = Message.builder().body(body)
                .systemProperty(SystemProperties.MESSAGE_ID, messageId == null ? UUID.randomUUID().toString() : messageId)
                .systemProperty(SystemProperties.TO, "/devices/" + deviceId + "/messages/deviceBound")
                .systemProperty(SystemProperties.CORRELATION_ID, correlationId)
                .systemProperty(SystemProperties.CONTENT_TYPE, JsonBodies.text(request, "contentType", false, ""))
                .systemProperty(SystemProperties.CONTENT_ENCODING, JsonBodies.text(request, "contentEncoding", false, ""))
                .systemProperty(SystemProperties.ACK, ack)
                // ISO-8601, as the MQTT head writes times on the wire ($.exp)
                .systemProperty(SystemProperties.EXPIRY_TIME, now.plusSeconds(ttlSeconds).toString())
                .systemProperty(SystemProperties.ENQUEUED_TIME, now.toString());
        properties(request).forEach(b::property);
        return b.build();
    }

    private static void checkId(String field, String id) throws ApiException {
        if (id != null && id.length() > MAX_ID_CHARS) {
            throw new ApiException(400, field + " is " + id.length() + " characters; at most " + MAX_ID_CHARS);
        }
    }

    /** Application properties: string values; names that start with {@code $} are the system's. */
    private static Map<String, String> properties(ObjectNode request) throws ApiException {
        Map<String, String> properties = new LinkedHashMap<>();
        JsonNode node = request.get("properties");
        if (node == null || node.isNull()) return properties;
        if (!node.isObject()) {
            throw new ApiException(400, "properties must be a JSON object of strings, not " + JsonBodies.describe(node));
        }
        for (Map.Entry<String, JsonNode> p : node.properties()) {
            String name = p.getKey();
            if (name.isEmpty()) throw new ApiException(400, "properties has an empty name");
            if (name.startsWith("$")) {
                throw new ApiException(400, "property name \"" + name + "\" starts with $, which marks the system "
                        + "properties on the wire; use the fields messageId, correlationId, contentType, … for those");
            }
            properties.put(name, JsonBodies.string(p.getValue(), "properties." + name));
        }
        return properties;
    }

    private static long ttlSeconds(ObjectNode request) throws ApiException {
        JsonNode n = request.get("ttlSeconds");
        if (n == null || n.isNull()) return DEFAULT_TTL_SECONDS;
        if (!n.isIntegralNumber() || !n.canConvertToLong() || n.asLong() < 1 || n.asLong() > MAX_TTL_SECONDS) {
            throw new ApiException(400, "ttlSeconds must be a whole number of seconds from 1 to " + MAX_TTL_SECONDS
                    + " (48 hours, IoT Hub's limit), not " + (n.isNumber() ? n.asText() : JsonBodies.describe(n)));
        }
        return n.asLong();
    }
}
