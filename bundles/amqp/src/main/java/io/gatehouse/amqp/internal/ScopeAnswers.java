package io.gatehouse.amqp.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.api.identity.Identity;
import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.identity.IdentityRegistry;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers a child gateway's device-scope request (a Gatehouse extension, as the MQTT head's
 * {@code $gatehouse/scope}): the identities below an edge device, with their keys, so that the
 * child can authenticate them while its parent is unreachable. Only an edge device authenticated
 * directly (without an auth chain) gets them; the answer carries secrets and is never logged.
 */
final class ScopeAnswers {
    private static final Logger LOG = LoggerFactory.getLogger(ScopeAnswers.class);

    private final ObjectMapper json = new ObjectMapper();

    /** The status and JSON body of an answer. */
    record Answer(int status, byte[] body, String reason) {
    }

    /**
     * @param registry the registry in service, or null
     * @param direct the identities authenticated on the connection by their own token
     */
    Answer answer(IdentityRegistry registry, List<IdentityId> direct) {
        List<IdentityId> devices = direct.stream().filter(id -> !id.isModule()).toList();
        if (devices.isEmpty()) {
            return error(403, "no device is authenticated on this connection by its own token; only an edge device "
                    + "connected directly (without an auth chain) may read its device scope");
        }
        if (registry == null) {
            return error(503, "the identity registry is not available, try again later");
        }
        IdentityId asker = null;
        List<Identity> scope;
        try {
            for (IdentityId device : devices) {
                Optional<Identity> registered = registry.get(device);
                if (registered.isPresent() && registered.get().edgeDevice()) {
                    asker = device;
                    break;
                }
            }
            if (asker == null) return error(403, devices + (devices.size() == 1 ? " is" : " are")
                    + " not a registered edge device");
            scope = registry.scopeOf(asker.deviceId());
        } catch (RuntimeException e) {
            return error(500, "the identity registry failed: " + e);
        }
        LOG.info("Sent the device scope of {} to it over AMQP: {} identities", asker, scope.size());
        return new Answer(200, scopeJson(scope), null);
    }

    /** An answer without the scope: {@code {"error": reason}}. */
    Answer error(int status, String reason) {
        LOG.warn("Device scope request over AMQP answered {}: {}", status, reason);
        ObjectNode error = json.createObjectNode().put("error", reason);
        return new Answer(status, bytes(error), reason);
    }

    /**
     * The MQTT head's body: {@code {"identities":[{"deviceId":…,"moduleId":…,"primaryKey":…,
     * "secondaryKey":…,"edgeDevice":…,"parentDeviceId":…,"x509PrimaryThumbprint":…,
     * "x509SecondaryThumbprint":…}]}}; {@code moduleId}, {@code parentDeviceId} and the
     * thumbprints only when set.
     */
    byte[] scopeJson(List<Identity> identities) {
        ObjectNode root = json.createObjectNode();
        ArrayNode list = root.putArray("identities");
        for (Identity identity : identities) {
            ObjectNode o = list.addObject();
            o.put("deviceId", identity.id().deviceId());
            if (identity.id().isModule()) o.put("moduleId", identity.id().moduleId());
            o.put("primaryKey", identity.primaryKey());
            o.put("secondaryKey", identity.secondaryKey());
            o.put("edgeDevice", identity.edgeDevice());
            if (identity.parentDeviceId() != null) o.put("parentDeviceId", identity.parentDeviceId());
            if (identity.primaryThumbprint() != null) o.put("x509PrimaryThumbprint", identity.primaryThumbprint());
            if (identity.secondaryThumbprint() != null) o.put("x509SecondaryThumbprint", identity.secondaryThumbprint());
        }
        return bytes(root);
    }

    private byte[] bytes(ObjectNode node) {
        try {
            return json.writeValueAsString(node).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree did not serialize", e);
        }
    }
}
