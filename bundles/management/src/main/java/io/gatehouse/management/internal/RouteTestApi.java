package io.gatehouse.management.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.api.deployment.InvalidConfigurationException;
import io.gatehouse.api.message.Message;
import io.gatehouse.api.message.SystemProperties;
import io.gatehouse.api.route.RouteTestResult;
import io.gatehouse.api.route.RouteTester;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code POST /api/routes/test}: evaluates one route against one message with the router's own
 * {@link RouteTester}, routing nothing. The request is
 * {@code {"route": "...", "message": {"systemProperties", "properties", "body" | "bodyBase64"}}};
 * the router decides the message's source from its system properties, as for a real message.
 */
public final class RouteTestApi {
    static final List<String> REQUEST_FIELDS = List.of("route", "message");
    static final List<String> MESSAGE_FIELDS = List.of("systemProperties", "properties", "body", "bodyBase64");
    /** Read from the api class so that a system property added there is accepted here at once. */
    static final Set<String> SYSTEM_PROPERTY_NAMES = systemPropertyNames();

    private final RouteTester tester;
    private final ObjectMapper mapper;

    public RouteTestApi(RouteTester tester, ObjectMapper mapper) {
        this.tester = tester;
        this.mapper = mapper;
    }

    public ApiResponse test(byte[] body) {
        if (tester == null) {
            return ApiResponse.unavailable("the route tester", "io.gatehouse.router");
        }
        String route;
        Message message;
        try {
            ObjectNode request = JsonBodies.readObject(mapper, body, "the route test");
            JsonBodies.rejectUnknownFields(request, REQUEST_FIELDS, "");
            route = JsonBodies.text(request, "route", true, "");
            message = message(request.get("message"));
        } catch (ApiException e) {
            return ApiResponse.error(e.status(), e.reason());
        }
        RouteTestResult result;
        try {
            result = tester.test(route, message);
        } catch (InvalidConfigurationException e) {
            return ApiResponse.error(400, e.getMessage() == null ? "the route does not compile" : e.getMessage());
        }
        ObjectNode answer = mapper.createObjectNode();
        answer.put("result", result.result());
        answer.put("sourceMatches", result.sourceMatches());
        answer.put("condition", result.condition());
        answer.put("sink", result.endpointId());
        return ApiResponse.ok(answer);
    }

    /** No {@code message} at all is a message with no properties and an empty body. */
    private Message message(JsonNode node) throws ApiException {
        Message.Builder builder = Message.builder();
        if (node == null) {
            return builder.build();
        }
        if (!node.isObject()) {
            throw new ApiException(400, "message must be a JSON object, not " + JsonBodies.describe(node));
        }
        ObjectNode fields = (ObjectNode) node;
        JsonBodies.rejectUnknownFields(fields, MESSAGE_FIELDS, "message.");
        for (Map.Entry<String, String> p : strings(fields, "systemProperties").entrySet()) {
            if (!SYSTEM_PROPERTY_NAMES.contains(p.getKey())) {
                // A misspelt name would quietly leave the property out and change the answer.
                throw new ApiException(400, "unknown system property \"" + p.getKey()
                        + "\" in message.systemProperties; the names are " + String.join(", ", SYSTEM_PROPERTY_NAMES));
            }
            builder.systemProperty(p.getKey(), p.getValue());
        }
        strings(fields, "properties").forEach(builder::property);
        return builder.body(body(fields)).build();
    }

    /** An object of string values, in the order given; empty when the field is absent. */
    private static Map<String, String> strings(ObjectNode message, String field) throws ApiException {
        JsonNode node = message.get(field);
        if (node == null) {
            return Map.of();
        }
        String path = "message." + field;
        if (!node.isObject()) {
            throw new ApiException(400, path + " must be a JSON object, not " + JsonBodies.describe(node));
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            values.put(entry.getKey(), JsonBodies.string(entry.getValue(), path + "." + entry.getKey()));
        }
        return values;
    }

    /**
     * IoT Hub bodies are bytes. A JSON string is taken as the text itself (its UTF-8 bytes), any
     * other JSON value as its compact serialisation, {@code bodyBase64} as the decoded bytes.
     */
    private byte[] body(ObjectNode message) throws ApiException {
        JsonNode json = message.get("body");
        if (json != null && message.has("bodyBase64")) {
            throw new ApiException(400, "message.body and message.bodyBase64 are exclusive: give one of them");
        }
        String base64 = JsonBodies.text(message, "bodyBase64", false, "message.");
        if (base64 != null) {
            try {
                return Base64.getDecoder().decode(base64);
            } catch (IllegalArgumentException e) {
                throw new ApiException(400, "message.bodyBase64 is not valid base64: " + e.getMessage());
            }
        }
        if (json == null) {
            return new byte[0];
        }
        if (json.isTextual()) {
            return json.textValue().getBytes(StandardCharsets.UTF_8);
        }
        try {
            return mapper.writeValueAsBytes(json);
        } catch (JsonProcessingException e) {
            throw new ApiException(400, "could not serialise message.body: " + e.getOriginalMessage());
        }
    }

    private static Set<String> systemPropertyNames() {
        Set<String> names = new TreeSet<>();
        for (Field field : SystemProperties.class.getFields()) {
            int modifiers = field.getModifiers();
            if (Modifier.isStatic(modifiers) && Modifier.isFinal(modifiers) && field.getType() == String.class) {
                try {
                    names.add((String) field.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException("public constant " + field + " is not readable", e);
                }
            }
        }
        return Collections.unmodifiableSet(names);
    }
}
