package io.gatehouse.broker.internal;

import io.gatehouse.api.identity.AuthenticationResult;
import io.gatehouse.api.identity.Authenticator;
import io.gatehouse.api.identity.IdentityId;
import java.util.List;

/**
 * Accepts the password "token-{identity}", so the head's CONNECT handling is tested apart from
 * SAS crypto (the auth bundle tests that). It knows no registry, so it refuses every auth chain.
 */
final class TokenAuthenticator implements Authenticator {

    @Override
    public AuthenticationResult authenticateSas(IdentityId claimed, String sasToken) {
        return sasToken.equals("token-" + claimed)
                ? AuthenticationResult.success(claimed)
                : AuthenticationResult.failure("bad token for " + claimed);
    }

    @Override
    public AuthenticationResult authenticateSas(IdentityId claimed, String sasToken, List<String> authChain) {
        if (authChain.size() == 1 && authChain.get(0).equals(claimed.toString())) return authenticateSas(claimed, sasToken);
        return AuthenticationResult.failure("this authenticator knows no gateways");
    }
}
