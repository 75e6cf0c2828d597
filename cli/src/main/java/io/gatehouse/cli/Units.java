package io.gatehouse.cli;

import java.util.Locale;

/** Short human forms for tables: ages ({@code 3m12s}) and sizes ({@code 1.5MiB}). */
final class Units {
    private static final String[] BINARY = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

    private Units() {
    }

    /**
     * {@code <1s}, {@code 42s}, {@code 3m12s}, {@code 2h05m}, {@code 3d04h}: the two largest units,
     * truncated, so an age is never shown longer than it is.
     */
    static String age(long millis) {
        if (millis < 1000) return "<1s";
        long s = millis / 1000;
        if (s < 60) return s + "s";
        long m = s / 60;
        if (m < 60) return String.format(Locale.ROOT, "%dm%02ds", m, s % 60);
        long h = m / 60;
        if (h < 24) return String.format(Locale.ROOT, "%dh%02dm", h, m % 60);
        return String.format(Locale.ROOT, "%dd%02dh", h / 24, h % 24);
    }

    /**
     * {@code less than a second}, {@code 1 second}, {@code 5 minutes}, {@code 2 hours},
     * {@code 3 days}: the largest whole unit, truncated, as {@code iotedge list} words uptime. A
     * negative span (the gateway's clock ahead of this one) counts as none.
     */
    static String elapsed(long millis) {
        long s = millis / 1000;
        if (s < 1) return "less than a second";
        if (s < 60) return plural(s, "second");
        if (s < 3600) return plural(s / 60, "minute");
        if (s < 86_400) return plural(s / 3600, "hour");
        return plural(s / 86_400, "day");
    }

    private static String plural(long n, String unit) {
        return n + " " + unit + (n == 1 ? "" : "s");
    }

    /** {@code 512B}, {@code 1.5KiB}, {@code 12KiB}, {@code 340MiB}: one decimal below ten, none above. */
    static String bytes(long n) {
        if (n < 1024) return n + "B";
        double value = n;
        int unit = 0;
        while (value >= 1024 && unit < BINARY.length - 1) {
            value /= 1024;
            unit++;
        }
        String text = String.format(Locale.ROOT, value < 9.95 ? "%.1f" : "%.0f", value);
        // Rounding can reach the next unit: 1023.7 KiB is 1.0MiB, not 1024KiB.
        if (text.equals("1024") && unit < BINARY.length - 1) return "1.0" + BINARY[unit + 1];
        return text + BINARY[unit];
    }

    /**
     * The start of {@code text} on one line: control characters (newlines, tabs) become spaces,
     * and more than {@code max} characters end in {@code …}.
     */
    static String oneLine(String text, int max) {
        StringBuilder line = new StringBuilder();
        text.codePoints().limit(max + 1L).forEach(c -> line.appendCodePoint(Character.isISOControl(c) ? ' ' : c));
        if (line.codePointCount(0, line.length()) > max) {
            return line.substring(0, line.offsetByCodePoints(0, max)) + "…";
        }
        return line.toString();
    }
}
