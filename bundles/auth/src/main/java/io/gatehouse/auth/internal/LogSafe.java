package io.gatehouse.auth.internal;

/**
 * Renders text that came from a client (claimed ids, audience parts) for a log line: quoted,
 * without control characters and cut short, so a hostile client cannot forge or flood log lines.
 */
final class LogSafe {

    private static final int MAX_LENGTH = 140;

    private LogSafe() {
    }

    static String quote(String text) {
        if (text == null) {
            return "(none)";
        }
        StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_LENGTH) + 5).append('\'');
        int limit = Math.min(text.length(), MAX_LENGTH);
        for (int i = 0; i < limit; i++) {
            char c = text.charAt(i);
            out.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        if (text.length() > MAX_LENGTH) {
            out.append("...");
        }
        return out.append('\'').toString();
    }
}
