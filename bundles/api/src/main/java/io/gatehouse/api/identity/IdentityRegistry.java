package io.gatehouse.api.identity;

import java.util.List;
import java.util.Optional;

/** The persistent registry of the devices and modules that may connect to this hub. */
public interface IdentityRegistry {

    List<Identity> list();

    Optional<Identity> get(IdentityId id);

    /**
     * Registers an identity. A null key is generated (32 random bytes, base64).
     *
     * @throws IdentityExistsException when the id is already registered
     * @throws IllegalArgumentException with a reason a user can act on: an invalid id or key
     */
    Identity add(IdentityId id, String primaryKey, String secondaryKey);

    /** @return whether the identity existed */
    boolean remove(IdentityId id);
}
