package io.gatehouse.router.internal.condition;

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
 * One message as seen by the conditions of all routes: property lookups and a body parsed at
 * most once, however many routes query it. Not thread-safe; one per routed message.
 */
public final class EvaluationContext {
    private static final Logger LOG = LoggerFactory.getLogger(EvaluationContext.class);

    private final Message message;
    private final ObjectMapper json;
    private JsonNode body;
    private boolean bodyParsed;
    private JsonNode twinPatch;
    private boolean twinPatchParsed;

    public EvaluationContext(Message message, ObjectMapper json) {
        this.message = message;
        this.json = json;
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
     * The body as JSON, or null when it cannot be queried: the content type must be
     * application/json and the encoding utf-8, utf-16 or utf-32, as in IoT Edge.
     */
    public JsonNode jsonBody() {
        if (!bodyParsed) {
            bodyParsed = true;
            body = parseBody();
        }
        return body;
    }

    /**
     * The body of a twin change notification as JSON, or null when it is not JSON. The hub writes
     * these bodies itself and may leave out content type and encoding, so absent ones mean
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
