package io.gatehouse.store.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Maps a queue to the name of its directory and back. Endpoint ids contain {@code /} and {@code $};
 * every byte of their UTF-8 form outside {@code [A-Za-z0-9_-]} is written as {@code %XX}, so a name
 * never contains a path separator, never starts with a dot and decodes to exactly one endpoint id.
 * The priority follows after {@code .p}, which the encoding cannot produce.
 */
final class QueueDirectoryNames {

    /** Leaves room under the usual 255-byte file name limit for the priority suffix. */
    static final int MAX_ENCODED_LENGTH = 230;

    private static final String PRIORITY_SEPARATOR = ".p";
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private QueueDirectoryNames() {
    }

    static String directoryName(QueueKey key) {
        return encode(key.endpointId()) + PRIORITY_SEPARATOR + key.priority();
    }

    /** The queue a directory holds, or empty when the name is not one this class produced. */
    static Optional<QueueKey> parse(String directoryName) {
        int separator = directoryName.lastIndexOf(PRIORITY_SEPARATOR);
        if (separator <= 0) return Optional.empty();
        try {
            int priority = Integer.parseInt(directoryName.substring(separator + PRIORITY_SEPARATOR.length()));
            String endpointId = decode(directoryName.substring(0, separator));
            QueueKey key = new QueueKey(endpointId, priority);
            // Only the canonical spelling counts, so two directories can never claim one queue.
            return directoryName(key).equals(directoryName) ? Optional.of(key) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The directory of an endpoint's dead-letter queue, under {@link DeadLetterQueue#DIRECTORY}. */
    static String deadLetterDirectoryName(String endpointId) {
        return encode(endpointId);
    }

    /** The endpoint whose dead-letter queue a directory holds, or empty when the name is not one this class produced. */
    static Optional<String> parseDeadLetter(String directoryName) {
        try {
            String endpointId = decode(directoryName);
            return !endpointId.isEmpty() && encode(endpointId).equals(directoryName) ? Optional.of(endpointId)
                    : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Why this endpoint id cannot name a queue, or null when it can. */
    static String invalidReason(String endpointId) {
        if (endpointId == null || endpointId.isEmpty()) return "endpoint id is empty";
        if (encode(endpointId).length() > MAX_ENCODED_LENGTH) {
            return "endpoint id is too long for a queue directory name (" + endpointId.length() + " characters)";
        }
        return null;
    }

    static String encode(String endpointId) {
        byte[] utf8 = endpointId.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(utf8.length + 8);
        for (byte b : utf8) {
            int c = b & 0xFF;
            if (isPlain(c)) {
                out.append((char) c);
            } else {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
            }
        }
        return out.toString();
    }

    static String decode(String encoded) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(encoded.length());
        for (int i = 0; i < encoded.length(); i++) {
            char c = encoded.charAt(i);
            if (c == '%') {
                if (i + 2 >= encoded.length()) throw new IllegalArgumentException("truncated escape");
                bytes.write(hexValue(encoded.charAt(i + 1)) << 4 | hexValue(encoded.charAt(i + 2)));
                i += 2;
            } else if (isPlain(c)) {
                bytes.write(c);
            } else {
                throw new IllegalArgumentException("unexpected character " + c);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static boolean isPlain(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    }

    private static int hexValue(char c) {
        int v = Character.digit(c, 16);
        if (v < 0 || Character.isLowerCase(c)) throw new IllegalArgumentException("bad escape " + c);
        return v;
    }
}
