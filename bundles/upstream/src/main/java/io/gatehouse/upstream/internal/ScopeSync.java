package io.gatehouse.upstream.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.api.identity.Identity;
import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.identity.IdentityRegistry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Learns this gateway's device scope from the parent, so the devices and modules below it
 * authenticate here while the parent is away. A refused or unreadable answer leaves the cached
 * scope as it was. Keys are never logged.
 */
final class ScopeSync {
    static final String RESPONSE_PREFIX = "$gatehouse/scope/res/";
    static final String RESPONSES = "$gatehouse/scope/res/#";
    private static final Logger LOG = LoggerFactory.getLogger(ScopeSync.class);

    private final IdentityRegistry registry;
    private final ObjectMapper json;

    ScopeSync(IdentityRegistry registry, ObjectMapper json) {
        this.registry = registry;
        this.json = json;
    }

    /**
     * Asks for the scope on the gateway's own channel and replaces the learned identities.
     *
     * @return the identities learned, or null when the answer was refused or unreadable (the
     *         cached scope stays as it was)
     */
    List<Identity> refresh(ParentChannel link) throws UpstreamException {
        Requests.Response r = link.scope();
        if (r.status() != 200) {
            LOG.warn("the parent answered the device scope request with {}: {}; keeping the cached scope",
                    r.status(), TwinClient.brief(r.text()));
            return null;
        }
        List<Identity> identities;
        try {
            identities = parse(r.body());
        } catch (IllegalArgumentException | IOException e) {
            LOG.warn("the parent's device scope is unreadable ({}); keeping the cached scope", e.getMessage());
            return null;
        }
        try {
            registry.replaceUpstreamScope(identities);
        } catch (IllegalArgumentException e) {
            LOG.warn("the registry refused the parent's device scope: {}; keeping the cached scope", e.getMessage());
            return null;
        }
        LOG.info("learned the device scope from the parent: {} identities", identities.size());
        return identities;
    }

    /**
     * {@code {"identities":[{deviceId, moduleId?, primaryKey, secondaryKey, edgeDevice, parentDeviceId?,
     * x509PrimaryThumbprint?, x509SecondaryThumbprint?}]}}.
     */
    List<Identity> parse(byte[] body) throws IOException {
        JsonNode root = json.readTree(body);
        JsonNode list = root == null ? null : root.get("identities");
        if (list == null || !list.isArray()) throw new IllegalArgumentException("no 'identities' array");
        List<Identity> out = new ArrayList<>(list.size());
        int i = 0;
        for (JsonNode e : list) {
            String where = "identities[" + i++ + "]";
            if (!e.isObject()) throw new IllegalArgumentException(where + " is not an object");
            String deviceId = text(e, "deviceId");
            if (deviceId == null || deviceId.isEmpty()) throw new IllegalArgumentException(where + " has no deviceId");
            JsonNode edge = e.get("edgeDevice");
            if (edge != null && !edge.isNull() && !edge.isBoolean()) {
                throw new IllegalArgumentException(where + ".edgeDevice is not a boolean");
            }
            out.add(new Identity(new IdentityId(deviceId, text(e, "moduleId")), text(e, "primaryKey"),
                    text(e, "secondaryKey"), edge != null && edge.asBoolean(), text(e, "parentDeviceId"),
                    text(e, "x509PrimaryThumbprint"), text(e, "x509SecondaryThumbprint")));
        }
        return out;
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isTextual()) throw new IllegalArgumentException("'" + field + "' is not a string");
        return v.asText();
    }
}
