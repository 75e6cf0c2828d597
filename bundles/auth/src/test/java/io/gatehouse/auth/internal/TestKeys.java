package io.gatehouse.auth.internal;

import java.util.Base64;

/** Distinct, repeatable 32-byte symmetric keys (base64) for the tests: one per seed. */
final class TestKeys {

    private TestKeys() {
    }

    static String key(int seed) {
        byte[] bytes = new byte[32];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (seed * 31 + i * 7);
        }
        return Base64.getEncoder().encodeToString(bytes);
    }
}
