package io.gatehouse.api.route;

import io.gatehouse.api.message.Message;
import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/** Evaluates the active routes for a message. */
@ProviderType
public interface MessageRouter {

    /**
     * The endpoints the message goes to, each once, with the priority and TTL of the best route
     * that chose it. Empty when no route matches (the message is dropped, reason
     * {@code no_route}). A router taken out of service keeps answering by its last routes, so a
     * caller that took it just before never drops a message for want of a table.
     */
    List<RouteTarget> route(Message message);
}
