package io.gatehouse.amqp.internal;

import io.gatehouse.api.identity.IdentityId;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/** CBS audiences and SAS {@code sr} values: {@code [amqps://]{host}/devices/{d}[/modules/{m}]}. */
final class Audiences {
    private Audiences() {
    }

    /** The identity an audience names, or null when it is not of that form. */
    static IdentityId identity(String audience) {
        if (audience == null) return null;
        String a = audience;
        int scheme = a.indexOf("://");
        if (scheme >= 0) a = a.substring(scheme + 3);
        int devices = a.indexOf("/devices/");
        if (devices <= 0) return null;
        String[] parts = a.substring(devices + "/devices/".length()).split("/", -1);
        try {
            if (parts.length == 1 && !parts[0].isEmpty()) return IdentityId.device(decode(parts[0]));
            if (parts.length == 3 && parts[1].equals("modules") && !parts[0].isEmpty() && !parts[2].isEmpty()) {
                return IdentityId.module(decode(parts[0]), decode(parts[2]));
            }
        } catch (IllegalArgumentException e) {
            return null;
        }
        return null;
    }

    /**
     * The identity a put-token request claims. The name is the audience; the Java SDK names only
     * the device even for a module, whose token's {@code sr} then names the module: the more
     * specific identity of the token is taken when it belongs to the named device (the signature
     * covers {@code sr}, so the authenticator checks it against that identity).
     */
    static IdentityId claimed(String name, String token) {
        IdentityId named = identity(name);
        if (named == null) return null;
        IdentityId signed = SasTokens.audienceIdentity(token);
        if (signed != null && !named.isModule() && signed.isModule() && signed.deviceId().equals(named.deviceId())) {
            return signed;
        }
        return named;
    }

    private static String decode(String s) {
        return s.indexOf('%') < 0 ? s : URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
