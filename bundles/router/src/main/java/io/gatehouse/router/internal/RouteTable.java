package io.gatehouse.router.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.api.message.Message;
import io.gatehouse.api.route.RouteTarget;
import io.gatehouse.router.internal.condition.BodyPaths;
import io.gatehouse.router.internal.condition.EvaluationContext;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An immutable set of compiled routes, in manifest order, and the fallback for telemetry that
 * none of them matched. {@link #route} is the per-message hot path: one source string, no route
 * parsing, and the only allocations are the result list and the evaluation context. When a
 * condition queries the body, one streaming pass reads the values of every body path of every
 * route ({@link BodyPaths}), so a message's body is read at most once and no tree is built.
 */
public final class RouteTable {
    private static final Logger LOG = LoggerFactory.getLogger(RouteTable.class);

    private final CompiledRoute[] routes;
    private final List<RouteTarget> fallback;
    private final NoRouteCounter noRoute;
    private final ObjectMapper json;
    private final BodyPaths bodyPaths;

    public RouteTable(List<CompiledRoute> routes, ObjectMapper json) {
        this(routes, null, new NoRouteCounter(), json);
    }

    /**
     * @param fallback where telemetry that no route matched goes; null: it is dropped and
     *                 counted in {@code noRoute}
     */
    public RouteTable(List<CompiledRoute> routes, RouteTarget fallback, NoRouteCounter noRoute, ObjectMapper json) {
        this.routes = routes.toArray(new CompiledRoute[0]);
        this.fallback = fallback == null ? null : List.of(fallback);
        this.noRoute = noRoute;
        this.json = json;
        List<BodyPaths> perRoute = new ArrayList<>(this.routes.length);
        for (CompiledRoute r : this.routes) perRoute.add(r.bodyPaths());
        this.bodyPaths = BodyPaths.union(perRoute);
    }

    public static RouteTable empty(ObjectMapper json) {
        return new RouteTable(List.of(), json);
    }

    /** The same routes with another fallback (null: none). */
    public RouteTable withFallback(RouteTarget newFallback) {
        return new RouteTable(List.of(routes), newFallback, noRoute, json);
    }

    public List<CompiledRoute> routes() {
        return List.of(routes);
    }

    /** The fallback target, or null when there is none. */
    public RouteTarget fallback() {
        return fallback == null ? null : fallback.get(0);
    }

    public int size() {
        return routes.length;
    }

    /**
     * Every endpoint a firing route names, once, with the best (lowest) priority among the routes
     * that chose it; on equal priority the first route in manifest order wins. Telemetry that no
     * route matched goes to the fallback, or is counted as dropped; twin change notifications that
     * no route matched are neither (as in IoT Edge).
     */
    public List<RouteTarget> route(Message message) {
        if (routes.length == 0) return unrouted(message);
        String source = MessageSources.of(message);
        EvaluationContext context = null;
        List<RouteTarget> targets = null;
        for (CompiledRoute r : routes) {
            if (!r.source().matches(source)) continue;
            if (r.condition() != null) {
                if (context == null) context = new EvaluationContext(message, json, bodyPaths);
                if (!fires(r, context)) continue;
            }
            if (targets == null) targets = new ArrayList<>(4);
            merge(targets, r.target());
        }
        if (targets == null) {
            if (LOG.isDebugEnabled()) LOG.debug("No route matched a message from {}", source);
            return unrouted(message);
        }
        return targets;
    }

    private List<RouteTarget> unrouted(Message message) {
        if (MessageSources.isTwinChangeNotification(message)) return List.of();
        if (fallback != null) return fallback;
        noRoute.increment();
        return List.of();
    }

    private static boolean fires(CompiledRoute route, EvaluationContext context) {
        Object result = route.evaluate(context);
        if (result == Boolean.TRUE) return true;
        if (LOG.isDebugEnabled()) {
            LOG.debug("Route {} evaluated {} for a message from {}", route.name(),
                    result == Boolean.FALSE ? "false" : "undefined", MessageSources.of(context.message()));
        }
        return false;
    }

    private static void merge(List<RouteTarget> targets, RouteTarget candidate) {
        for (int i = 0; i < targets.size(); i++) {
            RouteTarget existing = targets.get(i);
            if (existing.endpointId().equals(candidate.endpointId())) {
                if (candidate.priority() < existing.priority()) targets.set(i, candidate);
                return;
            }
        }
        targets.add(candidate);
    }
}
