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
 * IdentityExistsException, a refusal of keys that are not base64, of a malformed X.509 thumbprint
 * (in the auth registry's words, as its README states them), of a module that would be an
 * edge device or have a parent, of a parent that is not a registered edge device, and of removing
 * an edge device that still parents devices. Learned (upstream) identities are not used here.
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
        return add(new Identity(id, primaryKey, secondaryKey));
    }

    @Override
    public synchronized Identity add(Identity requested) {
        IdentityId id = requested.id();
        if (identities.containsKey(id)) {
            throw new IdentityExistsException("identity " + id + " already exists");
        }
        if (id.deviceId().contains(" ")) {
            throw new IllegalArgumentException("device id \"" + id.deviceId() + "\" contains a space");
        }
        if (id.isModule() && (requested.edgeDevice() || requested.parentDeviceId() != null)) {
            throw new IllegalArgumentException("module " + id + " cannot be an edge device nor have a parent: it is in "
                    + "the scope of its device");
        }
        String parent = requested.parentDeviceId();
        if (parent != null) {
            Identity p = identities.get(IdentityId.device(parent));
            if (p == null || !p.edgeDevice()) {
                throw new IllegalArgumentException("parent " + parent + " is not a registered edge device");
            }
        }
        thumbprint("primary", requested.primaryThumbprint());
        thumbprint("secondary", requested.secondaryThumbprint());
        Identity identity = new Identity(id, key(requested.primaryKey(), "primaryKey"),
                key(requested.secondaryKey(), "secondaryKey"), requested.edgeDevice(), parent,
                requested.primaryThumbprint(), requested.secondaryThumbprint());
        identities.put(id, identity);
        return identity;
    }

    /** Already normalised by Identity: upper case, no colons or spaces. */
    private static void thumbprint(String which, String thumbprint) {
        if (thumbprint == null) return;
        String failure = null;
        if (thumbprint.length() != 40 && thumbprint.length() != 64) {
            failure = "has " + thumbprint.length() + " hex digits; a SHA-1 thumbprint has 40, a SHA-256 one 64";
        } else {
            for (int i = 0; i < thumbprint.length() && failure == null; i++) {
                if (Character.digit(thumbprint.charAt(i), 16) < 0) failure = "is not hexadecimal (character " + (i + 1) + ")";
            }
        }
        if (failure != null) throw new IllegalArgumentException("the X.509 " + which + " thumbprint " + failure);
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
        if (!id.isModule() && identities.values().stream().anyMatch(i -> id.deviceId().equals(i.parentDeviceId()))) {
            throw new IllegalArgumentException("edge device " + id + " is the parent of other devices; remove them first");
        }
        return identities.remove(id) != null;
    }

    /** Direct children only: enough for a bundle that never calls it. */
    @Override
    public synchronized List<Identity> scopeOf(String edgeDeviceId) {
        return identities.values().stream().filter(i -> edgeDeviceId.equals(i.parentDeviceId())).toList();
    }

    @Override
    public void replaceUpstreamScope(List<Identity> identities) {
        throw new UnsupportedOperationException("this bundle does not learn identities");
    }
}
