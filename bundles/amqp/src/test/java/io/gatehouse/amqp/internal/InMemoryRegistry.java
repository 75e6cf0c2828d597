package io.gatehouse.amqp.internal;

import io.gatehouse.api.identity.Identity;
import io.gatehouse.api.identity.IdentityExistsException;
import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.identity.IdentityRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The registry contract in memory, following the api's javadoc (registered identities only; no learned scope). */
final class InMemoryRegistry implements IdentityRegistry {
    private final Map<IdentityId, Identity> identities = new LinkedHashMap<>();

    @Override
    public synchronized List<Identity> list() {
        return List.copyOf(identities.values());
    }

    @Override
    public synchronized Optional<Identity> get(IdentityId id) {
        return Optional.ofNullable(identities.get(id));
    }

    @Override
    public Identity add(IdentityId id, String primaryKey, String secondaryKey) {
        return add(new Identity(id, primaryKey, secondaryKey));
    }

    @Override
    public synchronized Identity add(Identity identity) {
        if (identities.containsKey(identity.id())) throw new IdentityExistsException(identity.id() + " exists");
        if (identity.parentDeviceId() != null) {
            Identity parent = identities.get(IdentityId.device(identity.parentDeviceId()));
            if (parent == null || !parent.edgeDevice()) {
                throw new IllegalArgumentException(identity.parentDeviceId() + " is not a registered edge device");
            }
        }
        identities.put(identity.id(), identity);
        return identity;
    }

    @Override
    public synchronized boolean remove(IdentityId id) {
        return identities.remove(id) != null;
    }

    @Override
    public synchronized List<Identity> scopeOf(String edgeDeviceId) {
        Identity edge = identities.get(IdentityId.device(edgeDeviceId));
        if (edge == null || !edge.edgeDevice()) return List.of();
        List<Identity> scope = new ArrayList<>();
        for (Identity i : identities.values()) {
            if (i.id().isModule()) continue;
            if (below(i, edgeDeviceId)) {
                scope.add(i);
                for (Identity m : identities.values()) {
                    if (m.id().isModule() && m.id().deviceId().equals(i.id().deviceId())) scope.add(m);
                }
            }
        }
        return scope;
    }

    private boolean below(Identity device, String edgeDeviceId) {
        String parent = device.parentDeviceId();
        for (int depth = 0; parent != null && depth < 10; depth++) {
            if (parent.equals(edgeDeviceId)) return true;
            Identity p = identities.get(IdentityId.device(parent));
            parent = p == null ? null : p.parentDeviceId();
        }
        return false;
    }

    @Override
    public void replaceUpstreamScope(List<Identity> learned) {
        throw new UnsupportedOperationException("this registry learns no scope");
    }
}
