package io.gatehouse.amqp.internal;

import io.gatehouse.api.identity.IdentityId;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * Reads the public fields of a SAS token ({@code SharedAccessSignature sr=…&sig=…&se=…}): its
 * audience and expiry. The signature is the authenticator's business and is never read here.
 */
final class SasTokens {
    /** The clock skew the reference allows on a token's expiry (§5.5). */
    static final long CLOCK_SKEW_MILLIS = 5 * 60_000L;

    private SasTokens() {
    }

    /**
     * When a link authorised by this token must close: its {@code se} plus the clock skew the
     * authenticator allowed, or {@link Long#MAX_VALUE} when the token carries no readable expiry
     * (the authenticator, which accepted it, had the last word).
     */
    static long validUntilMillis(String token) {
        String se = field(token, "se");
        if (se == null) return Long.MAX_VALUE;
        try {
            long seconds = Long.parseLong(se);
            return seconds > (Long.MAX_VALUE - CLOCK_SKEW_MILLIS) / 1000 ? Long.MAX_VALUE : seconds * 1000 + CLOCK_SKEW_MILLIS;
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    /** The identity the token's audience {@code sr} names, or null when it names none. */
    static IdentityId audienceIdentity(String token) {
        String sr = field(token, "sr");
        return sr == null ? null : Audiences.identity(sr);
    }

    private static String field(String token, String name) {
        if (token == null) return null;
        String body = token.startsWith("SharedAccessSignature ") ? token.substring("SharedAccessSignature ".length()) : token;
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).trim().equals(name)) {
                try {
                    return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    return null;
                }
            }
        }
        return null;
    }
}
