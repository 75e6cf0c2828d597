package io.gatehouse.router.internal;

import io.gatehouse.api.route.RouteTarget;

/**
 * One entry of {@code routes} in the {@code $edgeHub} desired properties.
 *
 * @param priority 0 (highest) … 9, or {@link RouteTarget#DEFAULT_PRIORITY}
 * @param timeToLiveSecs 0 means "use the store-and-forward TTL"
 */
public record RouteSpec(String name, String route, int priority, long timeToLiveSecs) {
}
