package io.gatehouse.upstream.internal;

import io.gatehouse.api.identity.Identity;
import io.gatehouse.api.identity.IdentityId;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a cloud-to-device receiver at the parent for every leaf device of the learned scope (not
 * an edge device, not a module, not this gateway), each on behalf of that leaf, so that the
 * parent's messages for it reach the local store. A leaf that leaves the scope loses its channel.
 * Used from the runtime's scheduler thread only.
 */
final class CloudToDeviceReceivers {
    private static final Logger LOG = LoggerFactory.getLogger(CloudToDeviceReceivers.class);

    private final String deviceId;
    private final ConnectionPool pool;
    private final Map<IdentityId, String> leaves = new HashMap<>(); // leaf → its last failure, or null
    private boolean unsupported;

    /** @param supported whether the protocol relays cloud-to-device messages at all */
    CloudToDeviceReceivers(String deviceId, ConnectionPool pool, boolean supported) {
        this.deviceId = deviceId;
        this.pool = pool;
        this.unsupported = !supported;
    }

    /** The leaves of a scope the parent just answered. */
    static Set<IdentityId> leavesOf(List<Identity> scope, String deviceId) {
        Set<IdentityId> out = new LinkedHashSet<>();
        for (Identity i : scope) {
            if (i.id().isModule() || i.edgeDevice() || i.id().deviceId().equals(deviceId)) continue;
            out.add(i.id());
        }
        return out;
    }

    void scopeLearned(List<Identity> scope) {
        Set<IdentityId> wanted = leavesOf(scope, deviceId);
        for (IdentityId gone : Set.copyOf(leaves.keySet())) {
            if (wanted.contains(gone)) continue;
            leaves.remove(gone);
            if (!unsupported) {
                pool.discard(gone);
                LOG.info("{} left the device scope: its cloud-to-device messages are no longer received", gone);
            }
        }
        for (IdentityId leaf : wanted) leaves.putIfAbsent(leaf, null);
    }

    /** The leaves whose channels stay open however idle. */
    Set<IdentityId> identities() {
        return unsupported ? Set.of() : Set.copyOf(leaves.keySet());
    }

    /** Attaches whatever receiver is missing. Call while the link is up. */
    void maintain() {
        if (unsupported) return;
        for (Map.Entry<IdentityId, String> e : leaves.entrySet()) {
            try {
                ParentChannel c = pool.connected(e.getKey());
                if (!c.receiveCloudToDevice()) {
                    unsupported = true;
                    return;
                }
                e.setValue(null);
            } catch (UpstreamException failure) {
                if (!Objects.equals(failure.getMessage(), e.getValue())) {
                    LOG.warn("cannot receive the cloud-to-device messages of {} from the parent: {}; trying again",
                            e.getKey(), failure.getMessage());
                    e.setValue(failure.getMessage());
                }
            }
        }
    }
}
