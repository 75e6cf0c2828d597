package io.gatehouse.router.internal;

import java.util.List;

/**
 * The parsed {@code $edgeHub} desired properties this bundle acts on.
 *
 * @param routes in manifest order
 * @param timeToLiveSecs store-and-forward TTL; negative means forever
 */
public record EdgeHubConfig(String schemaVersion, List<RouteSpec> routes, long timeToLiveSecs) {
    public EdgeHubConfig {
        routes = List.copyOf(routes);
    }
}
