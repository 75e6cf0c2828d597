package io.gatehouse.router.internal.condition;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.api.message.Message;
import io.gatehouse.api.message.SystemProperties;
import java.io.IOException;
import java.nio.charset.Charset;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One message as seen by the conditions of all routes: property lookups and a body read at most
 * once, however many routes query it. Conditions read the body through {@link BodyPaths}: one
 * streaming pass takes out the values of every path the routes need, and no tree is built. Not
 * thread-safe; one per routed message.
 */
public final class EvaluationContext {
    private static final Logger LOG = LoggerFactory.getLogger(EvaluationContext.class);

    private final Message message;
    private final ObjectMapper json;
    private final BodyPaths wanted;
    private BodyPaths read;
    private Object[] values;
    private boolean charsetsKnown;
    private Charset bodyCharset;
    private Charset twinCharset;
    private JsonNode body;
    private boolean bodyParsed;
    private JsonNode twinPatch;
    private boolean twinPatchParsed;

    /** A context that reads the body paths of the first condition that queries the body. */
    public EvaluationContext(Message message, ObjectMapper json) {
        this(message, json, null);
    }

    /**
     * @param bodyPaths every body path the conditions evaluated on this message read (the route
     *                  table's union), so that one pass over the body serves them all; null: the
     *                  paths of the first condition that queries the body
     */
    public EvaluationContext(Message message, ObjectMapper json, BodyPaths bodyPaths) {
        this.message = message;
        this.json = json;
        this.wanted = bodyPaths;
    }

    public Message message() {
        return message;
    }

    /** The application property, name compared case-insensitively; null when absent. */
    public String appProperty(String name) {
        return lookup(message.properties(), name);
    }

    /** The system property by its hub key ({@link SystemProperties}), case-insensitively; null when absent. */
    public String systemProperty(String name) {
        return lookup(message.systemProperties(), name);
    }

    private static String lookup(Map<String, String> map, String name) {
        String value = map.get(name);
        if (value != null || map.isEmpty()) return value;
        for (Map.Entry<String, String> e : map.entrySet()) {
            if (e.getKey().equalsIgnoreCase(name)) return e.getValue();
        }
        return null;
    }

    /**
     * The value of a {@code $body} query: a String, Double, Boolean or {@link BodyPaths.Found}; null
     * when the body cannot be queried. The content type must be application/json and the encoding
     * utf-8, utf-16 or utf-32, as in IoT Edge, and the body must be JSON.
     */
    Object bodyValue(BodyPaths.Slot slot) {
        knowCharsets();
        if (bodyCharset == null) {
            LOG.debug("Body query on a message without a JSON content type and a UTF encoding: undefined");
            return null;
        }
        return valueAt(slot, bodyCharset);
    }

    /**
     * The value at a path of a twin change notification's patch, as {@link #bodyValue}; null when
     * the body is not JSON. Content type and encoding may be absent, see {@link #twinPatch()}.
     */
    Object twinValue(BodyPaths.Slot slot) {
        knowCharsets();
        return twinCharset == null ? null : valueAt(slot, twinCharset);
    }

    /**
     * Both views of the body agree on the charset whenever both can be queried (a declared JSON
     * content type and UTF encoding), so one read serves $body queries and twin paths alike.
     */
    private void knowCharsets() {
        if (charsetsKnown) return;
        charsetsKnown = true;
        String contentType = systemProperty(SystemProperties.CONTENT_TYPE);
        String encoding = systemProperty(SystemProperties.CONTENT_ENCODING);
        boolean declaredJson = contentType != null && contentType.trim().equalsIgnoreCase("application/json");
        bodyCharset = declaredJson ? utfCharset(encoding) : null;
        if (contentType != null && encoding != null) {
            twinCharset = bodyCharset;
        } else if (contentType != null && !declaredJson) {
            twinCharset = null;
        } else {
            twinCharset = encoding == null ? java.nio.charset.StandardCharsets.UTF_8 : utfCharset(encoding);
        }
    }

    private Object valueAt(BodyPaths.Slot slot, Charset charset) {
        if (read != null) {
            int index = read.indexOf(slot);
            if (index >= 0) return values == null ? null : values[index];
        }
        // First query of this message, or a path outside the paths read so far (a condition compiled
        // apart from the table this context serves): read the body for the paths that include it.
        read = wanted != null && wanted.indexOf(slot) >= 0 ? wanted : slot.paths();
        values = readValues(read, charset);
        return values == null ? null : values[read.indexOf(slot)];
    }

    private Object[] readValues(BodyPaths paths, Charset charset) {
        byte[] bytes = message.body();
        try (JsonParser parser = charset == java.nio.charset.StandardCharsets.UTF_8
                ? json.createParser(bytes)
                : json.createParser(new String(bytes, charset))) {
            return paths.read(parser);
        } catch (IOException | RuntimeException e) {
            LOG.debug("Body query on a body that is not JSON: {}", e.getMessage());
            return null;
        }
    }

    /**
     * The whole body as a JSON tree, or null when it cannot be queried (same rules as
     * {@link #bodyValue}). Conditions do not use it; they read only their paths.
     */
    public JsonNode jsonBody() {
        if (!bodyParsed) {
            bodyParsed = true;
            body = parseBody();
        }
        return body;
    }

    /**
     * The body of a twin change notification as a JSON tree, or null when it is not JSON. The hub
     * writes these bodies itself and may leave out content type and encoding, so absent ones mean
     * application/json and utf-8; declared ones must still be JSON and UTF.
     */
    public JsonNode twinPatch() {
        if (!twinPatchParsed) {
            twinPatchParsed = true;
            String contentType = systemProperty(SystemProperties.CONTENT_TYPE);
            String encoding = systemProperty(SystemProperties.CONTENT_ENCODING);
            if (contentType != null && encoding != null) {
                twinPatch = jsonBody();
            } else if (contentType != null && !contentType.trim().equalsIgnoreCase("application/json")) {
                twinPatch = null;
            } else {
                Charset charset = encoding == null ? java.nio.charset.StandardCharsets.UTF_8 : utfCharset(encoding);
                twinPatch = charset == null ? null : parse(charset);
            }
        }
        return twinPatch;
    }

    private JsonNode parseBody() {
        String contentType = systemProperty(SystemProperties.CONTENT_TYPE);
        if (contentType == null || !contentType.trim().equalsIgnoreCase("application/json")) {
            LOG.debug("Body query on a message with content type {}: undefined", contentType);
            return null;
        }
        String encoding = systemProperty(SystemProperties.CONTENT_ENCODING);
        Charset charset = utfCharset(encoding);
        if (charset == null) {
            LOG.debug("Body query on a message with content encoding {}: undefined", encoding);
            return null;
        }
        return parse(charset);
    }

    private JsonNode parse(Charset charset) {
        try {
            byte[] bytes = message.body();
            JsonNode tree = charset == java.nio.charset.StandardCharsets.UTF_8
                    ? json.readTree(bytes)
                    : json.readTree(new String(bytes, charset));
            // An empty body reads as a missing node: nothing to query, like a body that is not JSON.
            return tree == null || tree.isMissingNode() ? null : tree;
        } catch (IOException | RuntimeException e) {
            LOG.debug("Body query on a body that is not JSON: {}", e.getMessage());
            return null;
        }
    }

    private static Charset utfCharset(String encoding) {
        if (encoding == null) return null;
        switch (encoding.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "utf-8": return java.nio.charset.StandardCharsets.UTF_8;
            case "utf-16": return java.nio.charset.StandardCharsets.UTF_16;
            case "utf-32": return Charset.forName("UTF-32");
            default: return null;
        }
    }
}
