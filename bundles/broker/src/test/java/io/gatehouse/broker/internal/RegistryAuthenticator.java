package io.gatehouse.broker.internal;

import io.gatehouse.api.identity.AuthenticationResult;
import io.gatehouse.api.identity.Authenticator;
import io.gatehouse.api.identity.Identity;
import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.identity.IdentityRegistry;
import java.util.List;
import java.util.Optional;

/**
 * Authenticates against a registry as the {@link Authenticator} javadoc says, auth chains
 * included; only the signature is a stand-in for SAS crypto (the auth bundle tests that): the
 * token for {@code claimed} signed with a key is {@link #token}.
 */
final class RegistryAuthenticator implements Authenticator {
    private final IdentityRegistry registry;

    RegistryAuthenticator(IdentityRegistry registry) {
        this.registry = registry;
    }

    static String token(IdentityId claimed, String key) {
        return "signed:" + claimed + ":" + key;
    }

    @Override
    public AuthenticationResult authenticateSas(IdentityId claimed, String sasToken) {
        Optional<Identity> identity = registry.get(claimed);
        if (identity.isEmpty()) return AuthenticationResult.failure(claimed + " is not registered");
        return signedBy(claimed, sasToken, identity.get())
                ? AuthenticationResult.success(claimed)
                : AuthenticationResult.failure("signature does not match " + claimed);
    }

    @Override
    public AuthenticationResult authenticateSas(IdentityId claimed, String sasToken, List<String> authChain) {
        if (authChain.isEmpty() || !authChain.get(0).equals(claimed.toString())) {
            return AuthenticationResult.failure("auth chain does not start with " + claimed);
        }
        if (authChain.size() == 1) return authenticateSas(claimed, sasToken);
        for (int i = 0; i < authChain.size() - 1; i++) {
            IdentityId element = IdentityId.parse(authChain.get(i));
            String next = authChain.get(i + 1);
            if (element.isModule()) {
                if (!element.deviceId().equals(next)) return AuthenticationResult.failure(element + " is not a module of " + next);
            } else {
                Optional<Identity> device = registry.get(element);
                if (device.isEmpty() || !next.equals(device.get().parentDeviceId())) {
                    return AuthenticationResult.failure(element + " is not below " + next);
                }
            }
        }
        Identity actor = null;
        for (String element : authChain.subList(1, authChain.size())) {
            Optional<Identity> edge = registry.get(IdentityId.parse(element));
            if (edge.isEmpty() || !edge.get().edgeDevice()) return AuthenticationResult.failure(element + " is not an edge device");
            actor = edge.get();
        }
        return signedBy(claimed, sasToken, actor)
                ? AuthenticationResult.success(claimed)
                : AuthenticationResult.failure("signature does not match actor " + actor.id());
    }

    private static boolean signedBy(IdentityId claimed, String token, Identity signer) {
        return token.equals(token(claimed, signer.primaryKey())) || token.equals(token(claimed, signer.secondaryKey()));
    }
}
