package io.gatehouse.amqp.internal;

import io.gatehouse.api.identity.IdentityId;
import org.apache.qpid.proton.engine.Delivery;
import org.apache.qpid.proton.engine.Link;

/**
 * A link that is attached so that a client asking for it opens, and on which nothing is ever
 * sent: a module's {@code …/modules/{m}/messages/deviceBound} (modules get no cloud-to-device
 * messages, reference §8).
 */
final class IdleSenderLink implements LinkHandler {
    private final Link link;
    private final IdentityId identity;

    IdleSenderLink(Link link, IdentityId identity) {
        this.link = link;
        this.identity = identity;
    }

    @Override
    public IdentityId identity() {
        return identity;
    }

    @Override
    public Link link() {
        return link;
    }

    @Override
    public void opened() {
    }

    @Override
    public void onDelivery(Delivery delivery) {
    }

    @Override
    public void closed() {
    }
}
