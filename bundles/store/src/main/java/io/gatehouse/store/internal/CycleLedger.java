package io.gatehouse.store.internal;

import java.util.Map;
import java.util.TreeMap;
import net.openhft.chronicle.queue.RollCycle;

/**
 * What one queue holds per cycle file: the index of its last message and how many bytes of the
 * file are written. Kept from the appends (and, at open, from one read of what follows the
 * checkpoint) so that measuring the queue never touches the disk.
 */
final class CycleLedger {

    private final TreeMap<Integer, long[]> cycles = new TreeMap<>(); // cycle -> {lastIndex, bytes}
    private long bytes;
    // The newest entry, where nearly every append lands: found without a tree lookup.
    private int newestCycle = Integer.MIN_VALUE;
    private long[] newest;

    /** Notes a message at {@code index} ending at {@code endPosition} of its file; returns the growth in bytes. */
    synchronized long record(int cycle, long index, long endPosition) {
        long[] entry;
        if (newest != null && cycle == newestCycle) {
            entry = newest;
        } else {
            entry = cycles.get(cycle);
            if (entry == null) {
                entry = new long[] {index, 0};
                cycles.put(cycle, entry);
            }
            if (cycle >= newestCycle) {
                newestCycle = cycle;
                newest = entry;
            }
        }
        if (index > entry[0]) entry[0] = index;
        long growth = endPosition - entry[1];
        if (growth <= 0) return 0;
        entry[1] = endPosition;
        bytes += growth;
        return growth;
    }

    /** Forgets a deleted cycle file; returns the bytes it held. */
    synchronized long release(int cycle) {
        long[] entry = cycles.remove(cycle);
        if (entry == null) return 0;
        if (entry == newest) {
            newest = null;
            newestCycle = Integer.MIN_VALUE;
        }
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

    /** The index of the newest message, or {@link Checkpoint#NONE} when the ledger is empty. */
    synchronized long lastIndex() {
        return cycles.isEmpty() ? Checkpoint.NONE : cycles.lastEntry().getValue()[0];
    }

    /** The oldest cycle, or null when the ledger is empty. */
    synchronized Integer oldestCycle() {
        return cycles.isEmpty() ? null : cycles.firstKey();
    }

    /** The newest cycle (the one appends go to), or null when the ledger is empty. */
    synchronized Integer newestCycle() {
        return cycles.isEmpty() ? null : cycles.lastKey();
    }

    /** The first cycle after {@code cycle} that holds messages, or null. */
    synchronized Integer cycleAfter(int cycle) {
        return cycles.higherKey(cycle);
    }

    /**
     * The index of the first message after {@code afterIndex} ({@link Checkpoint#NONE}: after
     * nothing), or {@link Checkpoint#NONE} when the ledger knows of none.
     */
    synchronized long indexAfter(long afterIndex, RollCycle rollCycle) {
        for (Map.Entry<Integer, long[]> e : cycles.entrySet()) {
            long first = rollCycle.toIndex(e.getKey(), 0);
            long last = e.getValue()[0];
            if (afterIndex == Checkpoint.NONE || afterIndex < first) return first;
            if (afterIndex < last) return afterIndex + 1;
        }
        return Checkpoint.NONE;
    }

    /** Messages of the ledger's cycles after {@code afterIndex} up to and including {@code throughIndex}. */
    synchronized long countBetween(long afterIndex, long throughIndex, RollCycle rollCycle) {
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
