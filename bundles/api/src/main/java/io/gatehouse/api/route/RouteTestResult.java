package io.gatehouse.api.route;

/**
 * What a route makes of a message. {@code result} is {@code "true"} only when the source matches
 * and the condition is True (the route fires); {@code condition} is the condition's own
 * three-valued result ({@code "true"}, {@code "false"} or {@code "undefined"}), evaluated even
 * when the source does not match; {@code endpointId} is where the route's sink delivers.
 */
public record RouteTestResult(String result, boolean sourceMatches, String condition, String endpointId) {
}
