package io.gatehouse.broker.internal;

import io.gatehouse.api.identity.Identity;
import io.gatehouse.api.identity.IdentityExistsException;
import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.identity.IdentityRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The registry contract in memory, following its javadoc (the real one is the auth bundle's):
 * registered identities only, no upstream scope.
 */
final class InMemoryIdentityRegistry implements IdentityRegistry {
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
        if (identity.id().isModule() && (identity.edgeDevice() || identity.parentDeviceId() != null)) {
            throw new IllegalArgumentException("a module cannot be an edge device nor have a parent");
        }
        if (identity.parentDeviceId() != null) {
            Identity parent = identities.get(IdentityId.device(identity.parentDeviceId()));
            if (parent == null || !parent.edgeDevice()) {
                throw new IllegalArgumentException("parent " + identity.parentDeviceId() + " is not a registered edge device");
            }
        }
        Identity stored = new Identity(identity.id(), keyOrNew(identity.primaryKey()), keyOrNew(identity.secondaryKey()),
                identity.edgeDevice(), identity.parentDeviceId(), identity.primaryThumbprint(),
                identity.secondaryThumbprint());
        identities.put(stored.id(), stored);
        return stored;
    }

    private static String keyOrNew(String key) {
        return key != null ? key : UUID.randomUUID().toString();
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
            String device = i.id().deviceId();
            if (!device.equals(edgeDeviceId) && below(device, edgeDeviceId)) scope.add(i);
        }
        return scope;
    }

    /** Whether the device's chain of parents reaches the edge device. */
    private boolean below(String deviceId, String edgeDeviceId) {
        Identity device = identities.get(IdentityId.device(deviceId));
        for (int hops = 0; device != null && device.parentDeviceId() != null && hops < 100; hops++) {
            if (device.parentDeviceId().equals(edgeDeviceId)) return true;
            device = identities.get(IdentityId.device(device.parentDeviceId()));
        }
        return false;
    }

    @Override
    public void replaceUpstreamScope(List<Identity> identities) {
        throw new UnsupportedOperationException("not needed by the head");
    }
}
