package io.gatehouse.management.internal;

import io.gatehouse.api.identity.Identity;
import io.gatehouse.api.identity.IdentityExistsException;
import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.identity.IdentityRegistry;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A small in-test registry: the real one lives in the auth bundle (another team's), and this
 * bundle must not depend on it. It keeps the contract's parts these tests rely on: generated keys,
 * IdentityExistsException, and a refusal of keys that are not base64.
 */
final class InMemoryIdentityRegistry implements IdentityRegistry {
    private final Map<IdentityId, Identity> identities = new LinkedHashMap<>();
    private int generated;

    @Override
    public synchronized List<Identity> list() {
        return new ArrayList<>(identities.values());
    }

    @Override
    public synchronized Optional<Identity> get(IdentityId id) {
        return Optional.ofNullable(identities.get(id));
    }

    @Override
    public synchronized Identity add(IdentityId id, String primaryKey, String secondaryKey) {
        if (identities.containsKey(id)) {
            throw new IdentityExistsException("identity " + id + " already exists");
        }
        if (id.deviceId().contains(" ")) {
            throw new IllegalArgumentException("device id \"" + id.deviceId() + "\" contains a space");
        }
        Identity identity = new Identity(id, key(primaryKey, "primaryKey"), key(secondaryKey, "secondaryKey"));
        identities.put(id, identity);
        return identity;
    }

    private String key(String key, String name) {
        if (key == null) {
            return Base64.getEncoder().encodeToString(("generated-key-" + (++generated)).getBytes());
        }
        try {
            Base64.getDecoder().decode(key);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + " is not valid base64");
        }
        return key;
    }

    @Override
    public synchronized boolean remove(IdentityId id) {
        return identities.remove(id) != null;
    }
}
