package io.gatehouse.router.internal;

import io.gatehouse.api.route.RouteTarget;
import io.gatehouse.router.internal.condition.Expr;

/**
 * A route ready to evaluate.
 *
 * @param condition null when the route has no WHERE (always true)
 * @param target the endpoint with this route's priority and effective TTL, shared by every
 *               message the route sends there
 */
public record CompiledRoute(String name, String text, RouteSource source, Expr condition, RouteTarget target) {
}
