package io.gatehouse.management.internal;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request's query string, read strictly: every parameter at most once and only the ones the
 * endpoint knows, so that a misspelt {@code limt=5} is refused rather than silently ignored.
 */
final class QueryParameters {
    private final Map<String, String> values;

    private QueryParameters(Map<String, String> values) {
        this.values = values;
    }

    /**
     * @param rawQuery the query as sent (percent-encoded, {@code +} for a space), or null
     * @throws ApiException 400 for an unknown or repeated parameter or a malformed escape
     */
    static QueryParameters parse(String rawQuery, Collection<String> known) throws ApiException {
        Map<String, String> values = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return new QueryParameters(values);
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            if (!known.contains(name)) {
                throw new ApiException(400, "unknown query parameter '" + name + "'; this endpoint takes "
                        + String.join(", ", known));
            }
            if (values.putIfAbsent(name, value) != null) {
                throw new ApiException(400, "query parameter '" + name + "' is given more than once");
            }
        }
        return new QueryParameters(values);
    }

    /** The value, or null when the parameter is absent. */
    String get(String name) {
        return values.get(name);
    }

    private static String decode(String s) throws ApiException {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, "malformed percent-encoding in the query string: " + e.getMessage());
        }
    }
}
