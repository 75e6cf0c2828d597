package io.gatehouse.broker.internal;

import io.netty.util.collection.IntObjectHashMap;

/**
 * Packet ids for the publishes this hub sends to one client, with what each one carries
 * (a stored message, or a message relayed from the general broker). Used on the connection's
 * event loop only. A map rather than a table of all 65535 ids: a gateway holds many connections,
 * each with a few hundred publishes in flight at most.
 */
final class PacketIds {
    private static final int MAX_ID = 65535;

    private final IntObjectHashMap<Object> inUse = new IntObjectHashMap<>(16);
    private int next = 1;

    /** @return a free id now bound to {@code what}, or 0 when all 65535 are in flight */
    int allocate(Object what) {
        if (inUse.size() == MAX_ID) return 0;
        while (inUse.containsKey(next)) next = next == MAX_ID ? 1 : next + 1;
        int id = next;
        inUse.put(id, what);
        next = next == MAX_ID ? 1 : next + 1;
        return id;
    }

    /** Frees the id; returns what it carried, or null for an id not in flight. */
    Object release(int id) {
        if (id < 1 || id > MAX_ID) return null;
        return inUse.remove(id);
    }
}
