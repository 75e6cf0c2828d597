package io.gatehouse.api.identity;

import java.util.Objects;

/**
 * The outcome of an authentication: the identity on success, otherwise a reason for the log
 * that names what was wrong and never contains a secret.
 */
public record AuthenticationResult(IdentityId identity, String failureReason) {

    public static AuthenticationResult success(IdentityId identity) {
        return new AuthenticationResult(Objects.requireNonNull(identity), null);
    }

    public static AuthenticationResult failure(String reason) {
        return new AuthenticationResult(null, Objects.requireNonNull(reason));
    }

    public boolean succeeded() {
        return identity != null;
    }
}
