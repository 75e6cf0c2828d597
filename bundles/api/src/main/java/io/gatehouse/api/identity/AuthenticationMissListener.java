package io.gatehouse.api.identity;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Told (whiteboard) when an authentication failed because this gateway does not know the claimed
 * identity, or none of the keys it knows signed the token: a child gateway's upstream asks its
 * parent for the device scope again, so a device registered or re-keyed at the parent since the
 * last refresh gets in on its next attempt instead of after the periodic refresh.
 */
@ConsumerType
public interface AuthenticationMissListener {

    /**
     * Called on the authenticating thread (often a network thread): must return at once and never
     * block; the failed attempt is not retried for the caller.
     */
    void authenticationMissed(IdentityId claimed);
}
