package io.gatehouse.upstream.internal;

import io.gatehouse.api.identity.IdentityId;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The channels to the parent, one per identity, opened on demand. */
final class ConnectionPool {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionPool.class);

    private final Map<IdentityId, ParentChannel> connections = new ConcurrentHashMap<>();
    private final Function<IdentityId, ParentChannel> factory;

    ConnectionPool(Function<IdentityId, ParentChannel> factory) {
        this.factory = factory;
    }

    /** The identity's connection, connected or not. */
    ParentChannel get(IdentityId id) {
        return connections.computeIfAbsent(id, factory);
    }

    /** The identity's connection, connecting it first when it is down. */
    ParentChannel connected(IdentityId id) throws UpstreamException {
        ParentChannel c = get(id);
        c.ensureConnected();
        return c;
    }

    /** Closes and forgets the connection, so that the next use opens a new one. */
    void discard(IdentityId id) {
        ParentChannel c = connections.remove(id);
        if (c != null) c.close();
    }

    /** Closes connections not used for {@code idle}, except {@code pinned} ones. */
    void closeIdle(Duration idle, Set<IdentityId> pinned) {
        for (ParentChannel c : connections.values()) {
            if (pinned.contains(c.identity()) || c.idleNanos() < idle.toNanos()) continue;
            if (connections.remove(c.identity(), c)) {
                boolean wasConnected = c.isConnected();
                c.close();
                if (wasConnected) LOG.info("closed the upstream connection of {}: unused for {} s", c.identity(),
                        idle.toSeconds());
            }
        }
    }

    void closeAll() {
        for (IdentityId id : Set.copyOf(connections.keySet())) discard(id);
    }
}
