package io.gatehouse.management.internal;

import java.util.Locale;

/** Short human forms of ages and sizes, for tables an operator reads: {@code 3m12s}, {@code 1.5MiB}. */
final class HumanUnits {
    private static final String[] BINARY_UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

    private HumanUnits() {
    }

    /**
     * {@code <1s}, {@code 42s}, {@code 3m12s}, {@code 2h05m}, {@code 3d04h}: the two largest units,
     * truncated (an age shown must never be more than the message has waited).
     */
    static String age(long millis) {
        if (millis < 1000) return "<1s";
        long seconds = millis / 1000;
        if (seconds < 60) return seconds + "s";
        long minutes = seconds / 60;
        if (minutes < 60) return String.format(Locale.ROOT, "%dm%02ds", minutes, seconds % 60);
        long hours = minutes / 60;
        if (hours < 24) return String.format(Locale.ROOT, "%dh%02dm", hours, minutes % 60);
        return String.format(Locale.ROOT, "%dd%02dh", hours / 24, hours % 24);
    }

    /** {@code 512B}, {@code 1.5KiB}, {@code 12KiB}, {@code 340MiB}: one decimal below 10, none above. */
    static String bytes(long n) {
        if (n < 1024) return n + "B";
        double value = n;
        int unit = 0;
        while (value >= 1024 && unit < BINARY_UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        String text = String.format(Locale.ROOT, value < 9.95 ? "%.1f" : "%.0f", value);
        // 1023.7 KiB would print as 1024KiB: say 1.0MiB instead.
        if (text.equals("1024") && unit < BINARY_UNITS.length - 1) {
            return "1.0" + BINARY_UNITS[unit + 1];
        }
        return text + BINARY_UNITS[unit];
    }
}
