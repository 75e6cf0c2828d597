package io.gatehouse.upstream.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/** The twin operations (reference §5.3, §5.6) on one identity's channel: the answers read. */
final class TwinClient {
    static final String RESPONSE_PREFIX = "$iothub/twin/res/";
    static final String RESPONSES = "$iothub/twin/res/#";
    static final String DESIRED_PATCH_PREFIX = "$iothub/twin/PATCH/properties/desired/";
    static final String DESIRED_PATCHES = "$iothub/twin/PATCH/properties/desired/#";

    private final ObjectMapper json;

    TwinClient(ObjectMapper json) {
        this.json = json;
    }

    /** The whole twin, {@code {"desired":{…},"reported":{…}}}. */
    JsonNode get(ParentChannel c) throws UpstreamException {
        String what = "twin GET of " + c.identity();
        Requests.Response r = c.twinGet();
        if (r.status() != 200) throw new UpstreamException(what + " answered " + r.status() + ": " + brief(r.text()));
        try {
            JsonNode twin = json.readTree(r.body());
            if (twin == null || !twin.isObject()) throw new UpstreamException(what + " answered a body that is not a twin");
            return twin;
        } catch (IOException e) {
            throw new UpstreamException(what + " answered a body that is not JSON: " + e.getMessage());
        }
    }

    /** Sends a reported-properties merge patch; the answer is 204 when the parent took it. */
    Requests.Response patchReported(ParentChannel c, JsonNode patch) throws UpstreamException {
        byte[] body;
        try {
            body = json.writeValueAsBytes(patch);
        } catch (IOException e) {
            throw new UpstreamException("cannot write a reported patch: " + e.getMessage());
        }
        return c.patchReported(body);
    }

    /** A parent's reason for the log: short, one line. */
    static String brief(String text) {
        String t = text.replaceAll("\\s+", " ").strip();
        return t.isEmpty() ? "(no reason given)" : t.length() > 300 ? t.substring(0, 300) + "…" : t;
    }
}
