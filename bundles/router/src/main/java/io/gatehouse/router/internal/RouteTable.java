package io.gatehouse.router.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.api.message.Message;
import io.gatehouse.api.route.RouteTarget;
import io.gatehouse.router.internal.condition.EvaluationContext;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An immutable set of compiled routes, in manifest order. {@link #route} is the per-message hot
 * path: one source string, no parsing, and the only allocations are the result list and the
 * evaluation context (plus the body tree if a condition queries it).
 */
public final class RouteTable {
    private static final Logger LOG = LoggerFactory.getLogger(RouteTable.class);

    private final CompiledRoute[] routes;
    private final ObjectMapper json;

    public RouteTable(List<CompiledRoute> routes, ObjectMapper json) {
        this.routes = routes.toArray(new CompiledRoute[0]);
        this.json = json;
    }

    public static RouteTable empty(ObjectMapper json) {
        return new RouteTable(List.of(), json);
    }

    public List<CompiledRoute> routes() {
        return List.of(routes);
    }

    public int size() {
        return routes.length;
    }

    /**
     * Every endpoint a firing route names, once, with the best (lowest) priority among the routes
     * that chose it; on equal priority the first route in manifest order wins.
     */
    public List<RouteTarget> route(Message message) {
        if (routes.length == 0) return List.of();
        String source = MessageSources.of(message);
        EvaluationContext context = null;
        List<RouteTarget> targets = null;
        for (CompiledRoute r : routes) {
            if (!r.source().matches(source)) continue;
            if (r.condition() != null) {
                if (context == null) context = new EvaluationContext(message, json);
                if (!fires(r, context)) continue;
            }
            if (targets == null) targets = new ArrayList<>(4);
            merge(targets, r.target());
        }
        if (targets == null) {
            if (LOG.isDebugEnabled()) LOG.debug("No route matched a message from {}", source);
            return List.of();
        }
        return targets;
    }

    private static boolean fires(CompiledRoute route, EvaluationContext context) {
        Object result;
        try {
            result = route.condition().evaluate(context);
        } catch (RuntimeException e) {
            // Conditions are built not to throw; if one does, that message skips this route only.
            LOG.debug("Route {} failed to evaluate: {}", route.name(), e.toString());
            return false;
        }
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
