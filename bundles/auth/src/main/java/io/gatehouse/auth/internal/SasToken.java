package io.gatehouse.auth.internal;

import java.util.Base64;

/**
 * A parsed {@code SharedAccessSignature sr=…&sig=…&se=…[&skn=…]} token. Fields may come in any
 * order; unknown fields are ignored, repeated ones refused.
 *
 * @param resource the {@code sr} value exactly as sent (still URL-encoded)
 * @param audience {@code sr} URL-decoded once: {@code host/devices/{enc(d)}[/modules/{enc(m)}]}
 * @param signature the decoded HMAC-SHA256 signature
 * @param expiry the {@code se} value exactly as sent (it is part of the signed text)
 * @param expirySeconds {@code se} as epoch seconds
 * @param keyName {@code skn}, or null
 */
record SasToken(String resource, String audience, byte[] signature, String expiry, long expirySeconds,
        String keyName) {

    static final String PREFIX = "SharedAccessSignature ";
    /** Real tokens are a few hundred characters; anything far longer is not worth reading. */
    static final int MAX_LENGTH = 4096;
    static final int SIGNATURE_BYTES = 32;
    private static final int MAX_EXPIRY_DIGITS = 18;

    static SasToken parse(String token) throws MalformedTokenException {
        if (token == null || token.isEmpty()) {
            throw new MalformedTokenException("no token (empty password)");
        }
        if (token.length() > MAX_LENGTH) {
            throw new MalformedTokenException("token is " + token.length() + " characters long; at most "
                    + MAX_LENGTH + " are accepted");
        }
        String text = token.strip();
        if (!text.startsWith(PREFIX)) {
            throw new MalformedTokenException("token does not start with '" + PREFIX.strip() + " '");
        }
        String resource = null;
        String signature = null;
        String expiry = null;
        String keyName = null;
        String[] fields = text.substring(PREFIX.length()).split("&", -1);
        for (int i = 0; i < fields.length; i++) {
            String field = fields[i];
            int equals = field.indexOf('=');
            if (equals <= 0) {
                throw new MalformedTokenException("field " + (i + 1) + " of the token is not name=value");
            }
            String name = field.substring(0, equals);
            String value = field.substring(equals + 1);
            switch (name) {
                case "sr" -> resource = once(name, resource, value);
                case "sig" -> signature = once(name, signature, value);
                case "se" -> expiry = once(name, expiry, value);
                case "skn" -> keyName = once(name, keyName, value);
                default -> {
                    // Unknown fields are not signed and change nothing; ignoring them keeps future clients working.
                }
            }
        }
        String audience = decodeResource(required("sr", "audience", resource));
        byte[] signatureBytes = decodeSignature(required("sig", "signature", signature));
        long expirySeconds = parseExpiry(required("se", "expiry", expiry));
        return new SasToken(resource, audience, signatureBytes, expiry, expirySeconds, keyName);
    }

    private static String once(String name, String previous, String value) throws MalformedTokenException {
        if (previous != null) {
            throw new MalformedTokenException("field '" + name + "' appears more than once in the token");
        }
        return value;
    }

    private static String required(String name, String meaning, String value) throws MalformedTokenException {
        if (value == null) {
            throw new MalformedTokenException("token has no '" + name + "' (" + meaning + ") field");
        }
        if (value.isEmpty()) {
            throw new MalformedTokenException("token has an empty '" + name + "' (" + meaning + ") field");
        }
        return value;
    }

    private static String decodeResource(String resource) throws MalformedTokenException {
        try {
            return UrlCoding.decode(resource);
        } catch (IllegalArgumentException e) {
            throw new MalformedTokenException("'sr' (audience) is not validly URL-encoded");
        }
    }

    private static byte[] decodeSignature(String signature) throws MalformedTokenException {
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(UrlCoding.decode(signature));
        } catch (IllegalArgumentException e) {
            throw new MalformedTokenException("'sig' (signature) is not URL-encoded base64");
        }
        if (decoded.length != SIGNATURE_BYTES) {
            throw new MalformedTokenException("'sig' (signature) is " + decoded.length
                    + " bytes; an HMAC-SHA256 signature is " + SIGNATURE_BYTES);
        }
        return decoded;
    }

    private static long parseExpiry(String expiry) throws MalformedTokenException {
        if (expiry.length() > MAX_EXPIRY_DIGITS || !expiry.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new MalformedTokenException("'se' (expiry) is not a number of seconds since 1970-01-01");
        }
        return Long.parseLong(expiry);
    }
}
