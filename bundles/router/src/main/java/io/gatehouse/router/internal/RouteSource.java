package io.gatehouse.router.internal;

import java.util.Locale;

/**
 * The FROM part of a route, normalised as IoT Edge does: whitespace trimmed, then trailing
 * {@code *}, then trailing {@code /}. It matches a message whose source, plus {@code /}, starts
 * with it plus {@code /}, ignoring case. A {@code *} anywhere else is a literal path segment.
 */
public record RouteSource(String text, String prefix) {

    public static RouteSource of(String text) {
        String s = text.strip();
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == '*') end--;
        while (end > 0 && s.charAt(end - 1) == '/') end--;
        return new RouteSource(text, s.substring(0, end));
    }

    public boolean matches(String messageSource) {
        int n = prefix.length();
        if (n > messageSource.length()) return false;
        if (!messageSource.regionMatches(true, 0, prefix, 0, n)) return false;
        return n == messageSource.length() || messageSource.charAt(n) == '/';
    }

    /** Whether this is the twin change notification source, the only one twin_change_includes is valid on. */
    public boolean isTwinChangeNotifications() {
        return prefix.equalsIgnoreCase(MessageSources.TWIN_CHANGE_NOTIFICATIONS);
    }

    @Override
    public String toString() {
        return prefix.isEmpty() ? "/" : prefix.toLowerCase(Locale.ROOT);
    }
}
