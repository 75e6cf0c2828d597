package io.gatehouse.api.route;

import java.util.Objects;

/**
 * Where the router sends a message: an endpoint, the priority of the route that chose it
 * (0 highest … 9, {@link #DEFAULT_PRIORITY} when the route gave none) and the time to live in
 * seconds (negative: forever).
 */
public record RouteTarget(String endpointId, int priority, long timeToLiveSecs) {

    /** The priority of routes that give none: below every explicit one, as in IoT Edge. */
    public static final int DEFAULT_PRIORITY = 2_000_000_000;

    public RouteTarget {
        Objects.requireNonNull(endpointId, "endpointId");
    }
}
