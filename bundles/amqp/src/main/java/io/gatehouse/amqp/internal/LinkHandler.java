package io.gatehouse.amqp.internal;

import io.gatehouse.api.identity.IdentityId;
import org.apache.qpid.proton.engine.Delivery;
import org.apache.qpid.proton.engine.Link;

/** What the hub does on one attached link; every call comes on the connection's event loop. */
interface LinkHandler {

    /** The identity the link's address names, or null for the CBS node. */
    IdentityId identity();

    Link link();

    /** Called once, right after the hub's attach. */
    void opened();

    /** A transfer arrived (we receive) or the client's disposition changed (we send). */
    void onDelivery(Delivery delivery);

    /** The client gave credit (we send). */
    default void onFlow() {
    }

    /** The link is gone (detached by either side, or the connection ended): release what it holds. */
    void closed();
}
