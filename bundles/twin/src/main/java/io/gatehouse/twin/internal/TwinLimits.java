package io.gatehouse.twin.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.api.twin.InvalidTwinException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

/**
 * IoT Hub's limits on twin properties, so that what the gateway accepts offline is also what the
 * hub will accept later. The messages name the offending property, since the user has to find it.
 */
final class TwinLimits {
    static final int MAX_DEPTH = 10;
    static final int MAX_NAME_BYTES = 1024;
    static final int MAX_STRING_BYTES = 4096;
    static final long MAX_SAFE_INTEGER = 1L << 52;
    static final int MAX_SIDE_BYTES = 32 * 1024;

    private static final BigInteger MAX = BigInteger.valueOf(MAX_SAFE_INTEGER);
    private static final BigInteger MIN = MAX.negate();

    private final ObjectMapper mapper;

    TwinLimits(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /**
     * Checks names, depth and values of a patch or document, and its serialised size.
     *
     * @param what what the object is, for the size message ("patch", "desired properties")
     */
    void check(ObjectNode object, String what) throws InvalidTwinException {
        checkObject(object, "", 0);
        int size;
        try {
            size = mapper.writeValueAsBytes(object).length;
        } catch (JsonProcessingException e) {
            throw new InvalidTwinException(what + " cannot be serialised: " + e.getOriginalMessage());
        }
        if (size > MAX_SIDE_BYTES) {
            throw new InvalidTwinException(what + " would be " + size + " bytes serialised, at most "
                    + MAX_SIDE_BYTES + " are allowed");
        }
    }

    private void checkObject(ObjectNode object, String path, int depth) throws InvalidTwinException {
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String name = field.getKey();
            String childPath = path.isEmpty() ? name : path + "." + name;
            checkName(name, path);
            checkValue(field.getValue(), childPath, depth);
        }
    }

    private static void checkName(String name, String parentPath) throws InvalidTwinException {
        String where = parentPath.isEmpty() ? "" : " in " + parentPath;
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_NAME_BYTES) {
            throw new InvalidTwinException("property name \"" + name.substring(0, 32) + "…\"" + where + " is "
                    + bytes + " bytes, at most " + MAX_NAME_BYTES + " are allowed");
        }
        if (name.isEmpty() || name.startsWith("$") || name.contains(".") || name.contains(" ")) {
            throw new InvalidTwinException("property name \"" + name + "\"" + where
                    + " is not allowed: names must be non-empty and must not start with '$' or contain '.' or ' '");
        }
    }

    private void checkValue(JsonNode value, String path, int depth) throws InvalidTwinException {
        if (value.isContainerNode()) {
            if (depth + 1 > MAX_DEPTH) {
                throw new InvalidTwinException(path + " is nested deeper than " + MAX_DEPTH + " levels");
            }
            if (value.isObject()) {
                checkObject((ObjectNode) value, path, depth + 1);
            } else {
                for (int i = 0; i < value.size(); i++) {
                    JsonNode element = value.get(i);
                    String elementPath = path + "[" + i + "]";
                    if (element.isNull()) {
                        throw new InvalidTwinException(elementPath + " is null; null is not allowed inside an array");
                    }
                    checkValue(element, elementPath, depth + 1);
                }
            }
        } else if (value.isTextual()) {
            int bytes = value.textValue().getBytes(StandardCharsets.UTF_8).length;
            if (bytes > MAX_STRING_BYTES) {
                throw new InvalidTwinException(path + " is a string of " + bytes + " bytes, at most "
                        + MAX_STRING_BYTES + " are allowed");
            }
        } else if (value.isIntegralNumber()) {
            BigInteger number = value.bigIntegerValue();
            if (number.compareTo(MAX) > 0 || number.compareTo(MIN) < 0) {
                throw new InvalidTwinException(path + " is " + number + ", integers must be within ±"
                        + MAX_SAFE_INTEGER);
            }
        }
    }
}
