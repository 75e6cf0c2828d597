package io.gatehouse.amqp.internal;

import io.gatehouse.api.identity.IdentityId;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which AMQP connection holds each identity. The newest wins (reference §6.4): an identity that
 * authenticates on another connection is taken from the one that held it.
 */
final class IdentityConnections {
    private final ConcurrentHashMap<IdentityId, AmqpConnection> holders = new ConcurrentHashMap<>();

    /** Makes {@code connection} the holder; the previous holder, if another, loses the identity. */
    void claim(IdentityId identity, AmqpConnection connection) {
        AmqpConnection previous = holders.put(identity, connection);
        if (previous != null && previous != connection) previous.identityTakenOver(identity);
    }

    void release(IdentityId identity, AmqpConnection connection) {
        holders.remove(identity, connection);
    }

    AmqpConnection holder(IdentityId identity) {
        return holders.get(identity);
    }

    java.util.Collection<AmqpConnection> all() {
        return java.util.Set.copyOf(holders.values());
    }
}
