package io.gatehouse.auth.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HMAC-SHA256 over {@code resource + "\n" + expiry}, the SAS signature. */
final class SasSignature {

    private static final String ALGORITHM = "HmacSHA256";

    private SasSignature() {
    }

    static byte[] compute(byte[] key, String resource, String expiry) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(key, ALGORITHM));
            return mac.doFinal((resource + "\n" + expiry).getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            // Every Java 17 runtime has HmacSHA256, and any non-empty key is accepted.
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
