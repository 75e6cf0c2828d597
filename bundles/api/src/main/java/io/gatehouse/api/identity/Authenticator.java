package io.gatehouse.api.identity;

/** Checks credentials against the identity registry. */
public interface Authenticator {

    /**
     * Authenticates {@code claimed} with a shared access signature token
     * ({@code SharedAccessSignature sr=…&sig=…&se=…}).
     */
    AuthenticationResult authenticateSas(IdentityId claimed, String sasToken);
}
