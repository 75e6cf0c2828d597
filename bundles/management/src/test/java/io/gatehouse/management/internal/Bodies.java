package io.gatehouse.management.internal;

import java.nio.charset.StandardCharsets;

/** Test helper: JSON written with single quotes for readability, turned into a request body. */
final class Bodies {
    private Bodies() {
    }

    static byte[] json(String singleQuoted) {
        return singleQuoted.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
    }
}
