package io.gatehouse.store.internal;

import java.util.Map;
import java.util.TreeMap;

/**
 * What one queue holds per cycle file: the index of its last message and how many bytes of the
 * file are written. Kept from the appends (and, at open, from one read of what follows the
 * checkpoint) so that measuring the queue never touches the disk.
 */
final class CycleLedger {

    private final TreeMap<Integer, long[]> cycles = new TreeMap<>(); // cycle -> {lastIndex, bytes}
    private long bytes;

    /** Notes a message at {@code index} ending at {@code endPosition} of its file; returns the growth in bytes. */
    synchronized long record(int cycle, long index, long endPosition) {
        long[] entry = cycles.computeIfAbsent(cycle, c -> new long[] {index, 0});
        entry[0] = Math.max(entry[0], index);
        long growth = Math.max(0, endPosition - entry[1]);
        entry[1] += growth;
        bytes += growth;
        return growth;
    }

    /** Forgets a deleted cycle file; returns the bytes it held. */
    synchronized long release(int cycle) {
        long[] entry = cycles.remove(cycle);
        if (entry == null) return 0;
        bytes -= entry[1];
        return entry[1];
    }

    synchronized long bytes() {
        return bytes;
    }

    /** The last message index of a cycle, or {@link Checkpoint#NONE} when the ledger has no such cycle. */
    synchronized long lastIndex(int cycle) {
        long[] entry = cycles.get(cycle);
        return entry == null ? Checkpoint.NONE : entry[0];
    }

    /** The oldest cycle, or null when the ledger is empty. */
    synchronized Integer oldestCycle() {
        return cycles.isEmpty() ? null : cycles.firstKey();
    }

    /** Messages of the ledger's cycles after {@code afterIndex} up to and including {@code throughIndex}. */
    synchronized long countBetween(long afterIndex, long throughIndex, net.openhft.chronicle.queue.RollCycle rollCycle) {
        long count = 0;
        for (Map.Entry<Integer, long[]> e : cycles.entrySet()) {
            int cycle = e.getKey();
            long first = rollCycle.toIndex(cycle, 0);
            long last = Math.min(e.getValue()[0], throughIndex);
            long from = afterIndex == Checkpoint.NONE ? first : Math.max(first, afterIndex + 1);
            if (last >= from) count += rollCycle.toSequenceNumber(last) - rollCycle.toSequenceNumber(from) + 1;
        }
        return count;
    }
}
