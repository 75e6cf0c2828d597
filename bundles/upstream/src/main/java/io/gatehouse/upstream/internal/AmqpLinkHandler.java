package io.gatehouse.upstream.internal;

import org.apache.qpid.proton.amqp.transport.ErrorCondition;
import org.apache.qpid.proton.engine.Delivery;
import org.apache.qpid.proton.engine.Link;

/** What a link does with the engine's events; called with the connection's lock held, so it must never block. */
interface AmqpLinkHandler {
    default void remoteOpened(Link link) {
    }

    /** The parent detached or closed the link (or its session); {@code condition} may be null. */
    void remoteClosed(Link link, ErrorCondition condition);

    default void delivery(Delivery delivery) {
    }

    /** Words for a log line: the condition's symbol and description. */
    static String describe(ErrorCondition condition) {
        if (condition == null || condition.getCondition() == null) return "no reason given";
        String d = condition.getDescription();
        return condition.getCondition() + (d == null || d.isEmpty() ? "" : " (" + d + ")");
    }
}
