package io.gatehouse.amqp.internal;

import io.gatehouse.api.identity.IdentityId;
import java.nio.charset.StandardCharsets;

/**
 * The SASL PLAIN initial response ({@code [authzid] NUL authcid NUL passwd}, RFC 4616) of an
 * Azure IoT client: the username names the identity, the password is its SAS token.
 *
 * @param identity from {@code {deviceId}[/modules/{moduleId}]@sas.{hub}} or {@code {id}@{hub}}
 * @param token the SAS token; a secret, never logged
 */
record SaslPlainCredentials(IdentityId identity, String username, String token) {

    /** @throws IllegalArgumentException with a reason free of the token */
    static SaslPlainCredentials parse(byte[] initialResponse) {
        if (initialResponse == null || initialResponse.length == 0) {
            throw new IllegalArgumentException("no PLAIN credentials in the SASL init frame");
        }
        String text = new String(initialResponse, StandardCharsets.UTF_8);
        int first = text.indexOf('\0');
        int second = first < 0 ? -1 : text.indexOf('\0', first + 1);
        if (first < 0 || second < 0) {
            throw new IllegalArgumentException("PLAIN credentials are not authzid NUL username NUL password");
        }
        String username = text.substring(first + 1, second);
        String token = text.substring(second + 1);
        if (token.isEmpty()) throw new IllegalArgumentException("user " + username + " sent an empty password");
        return new SaslPlainCredentials(identityOf(username), username, token);
    }

    /** {@code {deviceId}[/modules/{moduleId}]@sas.{hub}}, {@code {deviceId}[/modules/{moduleId}]@{hub}} or {@code d/m@{hub}}. */
    static IdentityId identityOf(String username) {
        int at = username.lastIndexOf('@');
        if (at <= 0 || at == username.length() - 1) {
            throw new IllegalArgumentException("username " + username + " is not {deviceId}[/modules/{moduleId}]@sas.{hubName}");
        }
        String id = username.substring(0, at);
        int modules = id.indexOf("/modules/");
        IdentityId identity;
        if (modules >= 0) {
            identity = new IdentityId(id.substring(0, modules), id.substring(modules + "/modules/".length()));
        } else {
            identity = IdentityId.parse(id);
        }
        if (identity.deviceId().isEmpty() || (identity.moduleId() != null && identity.moduleId().contains("/"))) {
            throw new IllegalArgumentException("username " + username + " names no valid device or module");
        }
        return identity;
    }
}
