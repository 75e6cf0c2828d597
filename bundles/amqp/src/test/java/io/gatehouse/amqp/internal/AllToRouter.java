package io.gatehouse.amqp.internal;

import io.gatehouse.api.message.Message;
import io.gatehouse.api.route.MessageRouter;
import io.gatehouse.api.route.RouteTarget;
import java.util.List;

/** Routes every message to one endpoint, or (endpoint null) to none, as a table without a matching route. */
final class AllToRouter implements MessageRouter {
    private volatile String endpoint;

    AllToRouter(String endpoint) {
        this.endpoint = endpoint;
    }

    void routeTo(String endpoint) {
        this.endpoint = endpoint;
    }

    @Override
    public List<RouteTarget> route(Message message) {
        String e = endpoint;
        return e == null ? List.of() : List.of(new RouteTarget(e, RouteTarget.DEFAULT_PRIORITY, -1));
    }
}
