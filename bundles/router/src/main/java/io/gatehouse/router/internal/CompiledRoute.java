package io.gatehouse.router.internal;

import io.gatehouse.api.route.RouteTarget;
import io.gatehouse.router.internal.condition.BodyPaths;
import io.gatehouse.router.internal.condition.EvaluationContext;
import io.gatehouse.router.internal.condition.Expr;
import io.gatehouse.router.internal.condition.Special;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A route ready to evaluate.
 *
 * @param condition null when the route has no WHERE (always true)
 * @param bodyPaths the body paths the condition reads ({@link BodyPaths#NONE} when it reads none)
 * @param target the endpoint with this route's priority and effective TTL, shared by every
 *               message the route sends there
 */
public record CompiledRoute(String name, String text, RouteSource source, Expr condition, BodyPaths bodyPaths,
                            RouteTarget target) {
    private static final Logger LOG = LoggerFactory.getLogger(CompiledRoute.class);

    /**
     * The condition's three-valued result for one message: {@code Boolean.TRUE},
     * {@code Boolean.FALSE} or {@link Special#UNDEFINED}. The router and the route tester both
     * decide with this, so they cannot disagree.
     */
    public Object evaluate(EvaluationContext context) {
        if (condition == null) return Boolean.TRUE;
        Object result;
        try {
            result = condition.evaluate(context);
        } catch (RuntimeException e) {
            // Conditions are built not to throw; if one does, that message skips this route only.
            LOG.debug("Route {} failed to evaluate: {}", name, e.toString());
            return Special.UNDEFINED;
        }
        return result instanceof Boolean ? result : Special.UNDEFINED;
    }
}
