package io.gatehouse.management.internal;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Collection;
import java.util.Iterator;

/** Parses request bodies strictly, with refusals that say where the JSON went wrong. */
public final class JsonBodies {

    private JsonBodies() {
    }

    /**
     * A mapper that refuses what a lenient one would silently guess at: duplicate keys (which one
     * wins?) and anything after the first value. Decimals stay exact so that a manifest passed on
     * to another bundle keeps the numbers the user wrote.
     */
    public static ObjectMapper newMapper() {
        return JsonMapper.builder()
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
                .build();
    }

    /** @throws ApiException 400 when the body is empty, not JSON, or not a JSON object */
    public static ObjectNode readObject(ObjectMapper mapper, byte[] body, String what) throws ApiException {
        JsonNode node = readTree(mapper, body, what);
        if (!node.isObject()) {
            throw new ApiException(400, what + " must be a JSON object, not " + describe(node));
        }
        return (ObjectNode) node;
    }

    static JsonNode readTree(ObjectMapper mapper, byte[] body, String what) throws ApiException {
        if (body.length == 0) {
            throw new ApiException(400, what + " is missing: the request body is empty");
        }
        JsonNode node;
        try {
            node = mapper.readTree(body);
        } catch (JsonProcessingException e) {
            // The original message leaves out Jackson's source excerpt: the body may hold a key.
            throw new ApiException(400, "malformed JSON" + where(e.getLocation()) + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ApiException(400, "could not read the request body: " + e.getMessage());
        }
        if (node == null || node.isMissingNode()) {
            throw new ApiException(400, what + " is missing: the request body holds no JSON value");
        }
        return node;
    }

    /**
     * Refuses a field the endpoint does not know rather than ignoring it: a misspelt optional
     * field would otherwise be silently left out.
     *
     * @param prefix what names {@code object} in the reason ("" at the top, "message." inside)
     * @throws ApiException 400 naming the first unknown field and the known ones
     */
    public static void rejectUnknownFields(ObjectNode object, Collection<String> fields, String prefix)
            throws ApiException {
        for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!fields.contains(name)) {
                throw new ApiException(400, "unknown field \"" + prefix + name + "\"; the fields"
                        + (prefix.isEmpty() ? "" : " of " + prefix.substring(0, prefix.length() - 1))
                        + " are " + String.join(", ", fields));
            }
        }
    }

    /**
     * A string field; null when absent or JSON null, unless required. Empty strings are refused.
     *
     * @param prefix what names {@code object} in the reason ("" at the top, "message." inside)
     */
    public static String text(ObjectNode object, String field, boolean required, String prefix) throws ApiException {
        JsonNode value = object.get(field);
        if (value == null || value.isNull()) {
            if (required) throw new ApiException(400, prefix + field + " is required");
            return null;
        }
        String text = string(value, prefix + field);
        if (text.isEmpty()) {
            throw new ApiException(400, prefix + field + " must not be empty" + (required ? "" : " (leave it out instead)"));
        }
        return text;
    }

    /**
     * A boolean field; null when absent or JSON null. Only JSON {@code true} and {@code false}: a
     * string "true" or a 1 is refused, as a string field refuses a number.
     */
    public static Boolean bool(ObjectNode object, String field, String prefix) throws ApiException {
        JsonNode value = object.get(field);
        if (value == null || value.isNull()) return null;
        if (!value.isBoolean()) {
            throw new ApiException(400, prefix + field + " must be true or false, not " + describe(value));
        }
        return value.booleanValue();
    }

    /** @throws ApiException 400 when {@code value} (named {@code path} in the reason) is not a JSON string */
    public static String string(JsonNode value, String path) throws ApiException {
        if (!value.isTextual()) {
            throw new ApiException(400, path + " must be a string, not " + describe(value));
        }
        return value.textValue();
    }

    /** A JSON type name for messages: "an array", "a string", … */
    public static String describe(JsonNode node) {
        if (node == null || node.isMissingNode()) return "nothing";
        if (node.isNull()) return "null";
        if (node.isObject()) return "an object";
        if (node.isArray()) return "an array";
        if (node.isTextual()) return "a string";
        if (node.isNumber()) return "a number";
        if (node.isBoolean()) return "a boolean";
        return node.getNodeType().name().toLowerCase();
    }

    private static String where(JsonLocation location) {
        if (location == null || location.getLineNr() < 0) {
            return "";
        }
        return " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    }
}
