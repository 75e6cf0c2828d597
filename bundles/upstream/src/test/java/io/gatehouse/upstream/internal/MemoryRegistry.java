package io.gatehouse.upstream.internal;

import io.gatehouse.api.identity.Identity;
import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.identity.IdentityRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/** The registry contract in memory; records every scope the upstream hands it. */
final class MemoryRegistry implements IdentityRegistry {
    private final Map<IdentityId, Identity> registered = new LinkedHashMap<>();
    private volatile List<Identity> learned = List.of();
    final List<List<Identity>> scopeReplacements = new CopyOnWriteArrayList<>();

    MemoryRegistry with(Identity identity) {
        registered.put(identity.id(), identity);
        return this;
    }

    @Override
    public synchronized List<Identity> list() {
        List<Identity> all = new ArrayList<>(registered.values());
        all.addAll(learned);
        return all;
    }

    @Override
    public synchronized Optional<Identity> get(IdentityId id) {
        Identity i = registered.get(id);
        if (i != null) return Optional.of(i);
        return learned.stream().filter(l -> l.id().equals(id)).findFirst();
    }

    @Override
    public Identity add(IdentityId id, String primaryKey, String secondaryKey) {
        return add(new Identity(id, primaryKey, secondaryKey));
    }

    @Override
    public synchronized Identity add(Identity identity) {
        registered.put(identity.id(), identity);
        return identity;
    }

    @Override
    public synchronized boolean remove(IdentityId id) {
        return registered.remove(id) != null;
    }

    @Override
    public List<Identity> scopeOf(String edgeDeviceId) {
        return List.of();
    }

    @Override
    public synchronized void replaceUpstreamScope(List<Identity> identities) {
        learned = List.copyOf(identities);
        scopeReplacements.add(learned);
    }
}
