package io.gatehouse.api.identity;

import java.security.cert.X509Certificate;
import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/** Checks credentials against the identity registry. */
@ProviderType
public interface Authenticator {

    /**
     * Authenticates {@code claimed} with a shared access signature token
     * ({@code SharedAccessSignature sr=…&sig=…&se=…}).
     */
    AuthenticationResult authenticateSas(IdentityId claimed, String sasToken);

    /**
     * Authenticates a gateway acting on behalf of {@code claimed} (reference §6.5). The auth chain
     * lists identities from the target to the actor: {@code claimed} first, then each edge device
     * the target sits below, the actor last ({@code leaf;child} or {@code child/module;child}).
     * Every link must hold in the registry (a device's parent is the next element; a module's
     * device is the next element), every element after the first must be a registered edge
     * device, and the token must be for {@code claimed}'s audience, signed with the actor's key.
     * A module of the actor need not be registered. A chain of one element is
     * {@link #authenticateSas(IdentityId, String)}.
     *
     * @param authChain the elements of the username's {@code auth-chain} property, in order
     */
    AuthenticationResult authenticateSas(IdentityId claimed, String sasToken, List<String> authChain);

    /**
     * Authenticates {@code claimed} with the X.509 certificate its TLS handshake presented (the
     * handshake proved the client holds its private key), by thumbprint (reference §6.3,
     * self-signed): the certificate must be within its validity and its SHA-1 or SHA-256
     * thumbprint must be the primary or secondary thumbprint registered for {@code claimed} — or,
     * along an auth chain of more than one element, for the actor (the last element), whose
     * chain must hold as for {@link #authenticateSas(IdentityId, String, List)}.
     *
     * @param authChain the auth chain, or an empty list when the client connects for itself
     */
    default AuthenticationResult authenticateCertificate(IdentityId claimed, X509Certificate certificate,
            List<String> authChain) {
        return AuthenticationResult.failure("this hub's authenticator does not accept X.509 certificates");
    }
}
