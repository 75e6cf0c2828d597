package io.gatehouse.api.identity;

import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The persistent registry of the devices and modules that may connect to this hub. It holds two
 * kinds of entries: identities registered here ({@link #add}), and the scope a child gateway
 * learned from its parent ({@link #replaceUpstreamScope}). Lookups see both; a registered
 * identity wins over a learned one with the same id.
 */
@ProviderType
public interface IdentityRegistry {

    /** Every identity, registered and learned. */
    List<Identity> list();

    Optional<Identity> get(IdentityId id);

    /**
     * Registers an identity. A null key is generated (32 random bytes, base64).
     *
     * @throws IdentityExistsException when the id is already registered
     * @throws IllegalArgumentException with a reason a user can act on: an invalid id or key
     */
    Identity add(IdentityId id, String primaryKey, String secondaryKey);

    /**
     * Registers an identity with its edge capability and parent (null keys are generated). A
     * module cannot be an edge device nor have a parent; a parent must be a registered edge device.
     *
     * @throws IdentityExistsException when the id is already registered
     * @throws IllegalArgumentException with a reason a user can act on
     */
    Identity add(Identity identity);

    /** @return whether the identity existed (only registered identities are removed) */
    boolean remove(IdentityId id);

    /**
     * The identities in an edge device's scope, with their keys: every registered device whose
     * chain of parents reaches {@code edgeDeviceId}, and the modules of those devices. Not the
     * edge device itself nor its own modules. Empty when it is not a registered edge device.
     */
    List<Identity> scopeOf(String edgeDeviceId);

    /**
     * Replaces the identities learned from the upstream gateway with these, durably (they must
     * authenticate here while the parent is unreachable, also after a restart). Registered
     * identities are not touched.
     *
     * @throws IllegalArgumentException naming an invalid entry; nothing changed
     */
    void replaceUpstreamScope(List<Identity> identities);
}
