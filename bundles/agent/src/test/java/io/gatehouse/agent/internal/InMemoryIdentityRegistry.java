package io.gatehouse.agent.internal;

import io.gatehouse.api.identity.Identity;
import io.gatehouse.api.identity.IdentityExistsException;
import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.identity.IdentityRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/** The registry contract kept in memory; the auth bundle's persistent one is exercised by the itests. */
final class InMemoryIdentityRegistry implements IdentityRegistry {
    final Map<IdentityId, Identity> identities = new ConcurrentHashMap<>();

    @Override
    public List<Identity> list() {
        return new ArrayList<>(identities.values());
    }

    @Override
    public Optional<Identity> get(IdentityId id) {
        return Optional.ofNullable(identities.get(id));
    }

    @Override
    public Identity add(IdentityId id, String primaryKey, String secondaryKey) {
        Identity identity = new Identity(id, primaryKey != null ? primaryKey : UUID.randomUUID().toString(), secondaryKey);
        if (identities.putIfAbsent(id, identity) != null) throw new IdentityExistsException(id + " exists");
        return identity;
    }

    @Override
    public Identity add(Identity identity) {
        if (identity.edgeDevice() || identity.parentDeviceId() != null) {
            throw new UnsupportedOperationException("the agent registers modules only");
        }
        return add(identity.id(), identity.primaryKey(), identity.secondaryKey());
    }

    @Override
    public boolean remove(IdentityId id) {
        return identities.remove(id) != null;
    }

    @Override
    public List<Identity> scopeOf(String edgeDeviceId) {
        throw new UnsupportedOperationException("the agent never asks for a scope");
    }

    @Override
    public void replaceUpstreamScope(List<Identity> scope) {
        throw new UnsupportedOperationException("the agent never learns a scope");
    }
}
