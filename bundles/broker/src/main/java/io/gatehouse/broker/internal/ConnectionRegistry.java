package io.gatehouse.broker.internal;

import io.gatehouse.api.identity.IdentityId;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/** One connection per identity: the newest wins and the older one is closed, as in IoT Edge. */
final class ConnectionRegistry {
    private final ConcurrentHashMap<IdentityId, MqttConnection> connections = new ConcurrentHashMap<>();

    void register(IdentityId id, MqttConnection connection) {
        MqttConnection previous = connections.put(id, connection);
        if (previous != null && previous != connection) {
            previous.closeBecause("a newer connection of " + id + " took over");
        }
    }

    void unregister(IdentityId id, MqttConnection connection) {
        connections.remove(id, connection);
    }

    /** The identity's connection, or null when it has none. */
    MqttConnection get(IdentityId id) {
        return connections.get(id);
    }

    Collection<MqttConnection> all() {
        return List.copyOf(connections.values());
    }
}
