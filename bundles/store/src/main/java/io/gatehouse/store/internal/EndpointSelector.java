package io.gatehouse.store.internal;

/** What a consumer reads: one endpoint, or every endpoint under a prefix ending in {@code /}. */
record EndpointSelector(String value) {

    static EndpointSelector of(String endpointIdOrPrefix) {
        if (endpointIdOrPrefix == null || endpointIdOrPrefix.isEmpty()) {
            throw new IllegalArgumentException("endpoint id or prefix is empty");
        }
        return new EndpointSelector(endpointIdOrPrefix);
    }

    boolean isPrefix() {
        return value.endsWith("/");
    }

    boolean matches(String endpointId) {
        return isPrefix() ? endpointId.startsWith(value) : endpointId.equals(value);
    }

    /** Whether some endpoint could be read by both: then only one of them may stay open. */
    boolean overlaps(EndpointSelector other) {
        if (isPrefix() && other.isPrefix()) return value.startsWith(other.value) || other.value.startsWith(value);
        if (isPrefix()) return matches(other.value);
        if (other.isPrefix()) return other.matches(value);
        return value.equals(other.value);
    }
}
