package io.gatehouse.broker.internal;

import io.gatehouse.api.identity.Identity;
import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.identity.IdentityRegistry;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers a device-scope request ({@link ScopeTopics}): the identities below an edge device, with
 * their keys, so that a child gateway can authenticate its own devices and modules while its
 * parent is unreachable. Only an edge device connected directly gets them; the answer carries
 * secrets, so it is never logged.
 */
final class ScopeRequests {
    private static final Logger LOG = LoggerFactory.getLogger(ScopeRequests.class);

    /** The status and JSON body of an answer. */
    record Answer(int status, byte[] body) {
        static Answer error(int status, String reason) {
            return new Answer(status, ("{\"error\":" + TwinRequests.jsonString(reason) + "}").getBytes(StandardCharsets.UTF_8));
        }
    }

    private ScopeRequests() {
    }

    /**
     * @param registry the registry in service, or null when there is none
     * @param identity the connection's authenticated identity
     * @param actor the gateway acting for {@code identity} through an auth chain, or null for a direct connection
     */
    static Answer answer(IdentityRegistry registry, IdentityId identity, String actor) {
        if (actor != null) {
            return refused(identity, identity + " is connected through " + actor
                    + "; only an edge device connected directly may read its device scope");
        }
        if (identity.isModule()) {
            return refused(identity, identity + " is a module; only an edge device may read its device scope");
        }
        if (registry == null) {
            LOG.warn("Device scope request of {}: no identity registry in service; answering 503", identity);
            return Answer.error(503, "the identity registry is not available, try again later");
        }
        List<Identity> scope;
        try {
            Optional<Identity> registered = registry.get(identity);
            if (registered.isEmpty() || !registered.get().edgeDevice()) {
                return refused(identity, identity + " is not a registered edge device");
            }
            scope = registry.scopeOf(identity.deviceId());
        } catch (RuntimeException e) {
            LOG.warn("Device scope request of {}: the identity registry failed ({}); answering 500", identity, e.toString());
            return Answer.error(500, "the identity registry failed");
        }
        LOG.info("Sent the device scope of {} to it: {} identities", identity, scope.size());
        return new Answer(200, scopeJson(scope).getBytes(StandardCharsets.UTF_8));
    }

    private static Answer refused(IdentityId identity, String reason) {
        LOG.warn("Refused the device scope request of {}: {}", identity, reason);
        return Answer.error(403, reason);
    }

    /**
     * {@code {"identities":[{"deviceId":…,"moduleId":…,"primaryKey":…,"secondaryKey":…,
     * "edgeDevice":…,"parentDeviceId":…,"x509PrimaryThumbprint":…,"x509SecondaryThumbprint":…}]}};
     * {@code moduleId}, {@code parentDeviceId} and the thumbprints only when set.
     */
    static String scopeJson(List<Identity> identities) {
        StringBuilder b = new StringBuilder(64 + identities.size() * 160).append("{\"identities\":[");
        for (int i = 0; i < identities.size(); i++) {
            Identity identity = identities.get(i);
            if (i > 0) b.append(',');
            b.append("{\"deviceId\":").append(TwinRequests.jsonString(identity.id().deviceId()));
            if (identity.id().isModule()) b.append(",\"moduleId\":").append(TwinRequests.jsonString(identity.id().moduleId()));
            b.append(",\"primaryKey\":").append(jsonOrNull(identity.primaryKey()))
                    .append(",\"secondaryKey\":").append(jsonOrNull(identity.secondaryKey()))
                    .append(",\"edgeDevice\":").append(identity.edgeDevice());
            if (identity.parentDeviceId() != null) {
                b.append(",\"parentDeviceId\":").append(TwinRequests.jsonString(identity.parentDeviceId()));
            }
            if (identity.primaryThumbprint() != null) {
                b.append(",\"x509PrimaryThumbprint\":").append(TwinRequests.jsonString(identity.primaryThumbprint()));
            }
            if (identity.secondaryThumbprint() != null) {
                b.append(",\"x509SecondaryThumbprint\":").append(TwinRequests.jsonString(identity.secondaryThumbprint()));
            }
            b.append('}');
        }
        return b.append("]}").toString();
    }

    private static String jsonOrNull(String text) {
        return text == null ? "null" : TwinRequests.jsonString(text);
    }
}
