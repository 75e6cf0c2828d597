package io.gatehouse.broker.internal;

/**
 * Packet ids for the publishes this hub sends to one client, with what each one carries
 * (a stored message, or a message relayed from the general broker). Used on the connection's
 * event loop only.
 */
final class PacketIds {
    private final Object[] inUse = new Object[65536];
    private int next = 1;
    private int count;

    /** @return a free id now bound to {@code what}, or 0 when all 65535 are in flight */
    int allocate(Object what) {
        if (count == 65535) return 0;
        while (inUse[next] != null) next = next == 65535 ? 1 : next + 1;
        int id = next;
        inUse[id] = what;
        count++;
        next = next == 65535 ? 1 : next + 1;
        return id;
    }

    /** Frees the id; returns what it carried, or null for an id not in flight. */
    Object release(int id) {
        if (id < 1 || id > 65535) return null;
        Object what = inUse[id];
        if (what != null) {
            inUse[id] = null;
            count--;
        }
        return what;
    }
}
