package io.gatehouse.store.internal;

import io.gatehouse.api.message.Message;
import io.gatehouse.api.store.StoredMessage;
import io.gatehouse.store.internal.Checkpoint.Position;
import java.util.Map;
import java.util.TreeMap;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One consumer's reading of one queue: hands messages out in order from the checkpoint on, and
 * moves the checkpoint over the settled (acknowledged, dead-lettered, expired or unreadable) prefix
 * of what it handed out, however the settlements are ordered. Not thread-safe: its consumer locks.
 *
 * <p>When Chronicle cannot read on (it throws, or finds nothing where the queue's ledger knows a
 * message) the cursor first tries a fresh tailer at the next message; if that cannot read it
 * either, the file holding it is damaged. A file no longer written is quarantined and its unread
 * messages counted as lost (corrupt), and reading goes on with the next file. The file being
 * written is never moved: the cursor stops reading this queue until a later file exists, and then
 * deals with it as above.
 */
final class QueueCursor {

    private static final Logger LOG = LoggerFactory.getLogger(QueueCursor.class);
    /** Recoveries tried in one call before giving up until the next. */
    private static final int MAX_RECOVERIES = 4;
    private static final int NO_CYCLE = Integer.MIN_VALUE;

    private enum Outcome { PENDING, DELIVERED, DEAD_LETTERED, EXPIRED, CORRUPT }

    private final EndpointQueue queue;
    private final Object lock;
    private final TreeMap<Long, Outcome> outstanding = new TreeMap<>();
    private final RecordHeader header = new RecordHeader();
    private ExcerptTailer tailer;
    private Position position;
    private long read;
    private long lastRead = Checkpoint.NONE;
    private long deliveredBeyond;
    private long expiredBeyond;
    private long corruptBeyond;
    /** Messages up to here were in a quarantined file: unread, nobody can hand them out again. */
    private long quarantinedThrough = Checkpoint.NONE;
    /** A damaged cycle still being written: reading waits for a later one. */
    private int stalledCycle = NO_CYCLE;

    /** {@code lock} is the one its consumer holds around every call. */
    QueueCursor(EndpointQueue queue, Runnable appendListener, Object lock) {
        this.queue = queue;
        this.lock = lock;
        this.position = queue.attach(this, appendListener);
        this.read = position.passed();
    }

    QueueKey key() {
        return queue.key();
    }

    Object lock() {
        return lock;
    }

    /**
     * Passes everything up to {@code index} without delivering it: the store drops it to make room.
     * What was handed out and not yet acknowledged there is gone (a late acknowledgement changes
     * nothing); what was settled keeps its outcome. Returns how many messages were dropped. The
     * caller holds this cursor's lock and its queue's.
     */
    long skipThrough(long index) {
        if (position.index() != Checkpoint.NONE && index <= position.index()) return 0;
        long all = queue.countBetween(position.index(), index);
        Passing passing = new Passing();
        Map<Long, Outcome> passed = outstanding.headMap(index, true);
        passed.values().forEach(passing::add); // a PENDING one (handed out, unacknowledged) counts as dropped
        passed.clear();
        long dropped = Math.max(0, all - passing.settled());
        position = passing.applyTo(position, index, dropped);
        if (lastRead == Checkpoint.NONE || lastRead < index) {
            // Its file is about to go: read on from the next one.
            closeTailer();
            read = position.passed();
            lastRead = index;
        }
        advance();
        return dropped;
    }

    /** Whether the queue holds messages this cursor has not read yet. */
    boolean hasUnread() {
        return queue.appended() > read;
    }

    /** The next live message, or null; expired and unreadable ones are settled on the way. */
    StoredMessage next(long nowMillis) {
        if (!hasUnread()) return null;
        if (stalledCycle != NO_CYCLE) {
            if (!queue.isClosedCycle(stalledCycle)) return null;
            stalledCycle = NO_CYCLE;
        }
        int recoveries = 0;
        while (true) {
            try {
                if (tailer == null) tailer = queue.tailerFrom(readFrom());
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (dc.isPresent()) {
                        long index = dc.index();
                        if (index <= readFrom()) continue;
                        read++;
                        lastRead = index;
                        Message message = readLive(dc.wire().bytes(), index, nowMillis);
                        if (message == null) continue;
                        outstanding.put(index, Outcome.PENDING);
                        return new StoredMessage(queue.key().endpointId(), queue.key().priority(), index, message,
                                header.expiryMillis);
                    }
                }
                // Nothing more to read, unless the ledger knows of a message the tailer did not reach.
                if (queue.indexAfter(readFrom()) == Checkpoint.NONE) return null;
                if (++recoveries > MAX_RECOVERIES || !recover(null)) return null;
            } catch (RuntimeException | InternalError e) {
                // InternalError: a fault in an access to a mapped file that shrank under it.
                if (++recoveries > MAX_RECOVERIES || !recover(e)) return null;
            }
        }
    }

    /** Whether the message is handed out by this cursor and not settled yet. */
    boolean isHandedOut(long index) {
        return outstanding.get(index) == Outcome.PENDING;
    }

    /** Settles a handed-out message; anything else (unknown, already settled) changes nothing. */
    boolean acknowledge(long index) {
        if (outstanding.get(index) != Outcome.PENDING) return false;
        settle(index, Outcome.DELIVERED);
        return true;
    }

    /** Settles a handed-out message whose time to live ran out before the endpoint took it. */
    boolean expire(long index) {
        if (outstanding.get(index) != Outcome.PENDING) return false;
        settle(index, Outcome.EXPIRED);
        return true;
    }

    /** Settles a handed-out message that is now in the dead-letter queue. */
    boolean deadLettered(long index) {
        if (outstanding.get(index) != Outcome.PENDING) return false;
        settle(index, Outcome.DEAD_LETTERED);
        return true;
    }

    /** Lets go of the queue; what was handed out but not acknowledged is read again by the next owner. */
    void close() {
        if (quarantinedThrough != Checkpoint.NONE) {
            // Handed out from a quarantined file: no later owner can read them again, so they are lost.
            boolean any = false;
            for (Map.Entry<Long, Outcome> e : outstanding.headMap(quarantinedThrough, true).entrySet()) {
                if (e.getValue() == Outcome.PENDING) {
                    e.setValue(Outcome.CORRUPT);
                    corruptBeyond++;
                    any = true;
                }
            }
            if (any) advance();
        }
        closeTailer();
        queue.detach(this);
    }

    /** Every message at or before this index has been read (or passed) by this cursor. */
    private long readFrom() {
        long index = position.index();
        return lastRead != Checkpoint.NONE && (index == Checkpoint.NONE || lastRead > index) ? lastRead : index;
    }

    /**
     * Gets past a point where reading stopped; false when reading cannot go on now. The next
     * message's file is damaged when a fresh tailer cannot read that message either.
     */
    private boolean recover(Throwable failure) {
        closeTailer();
        long next = queue.indexAfter(readFrom());
        if (next == Checkpoint.NONE) return false;
        ExcerptTailer fresh = queue.tailerAt(next);
        if (fresh != null) {
            tailer = fresh;
            LOG.debug("Reading {} resumed at #{} with a new tailer{}", queue.label(), next,
                    failure == null ? "" : " after: " + failure);
            return true;
        }
        int cycle = queue.cycleOf(next);
        EndpointQueue.Quarantined quarantined = queue.quarantineCycle(cycle, readFrom());
        if (quarantined == null) {
            stalledCycle = cycle;
            LOG.error("{} cannot be read past #{}: its file being written looks damaged ({}). It is quarantined once "
                    + "appends have moved to the next file; until then this queue is not read",
                    queue.label(), readFrom(), failure == null ? "nothing readable where a message should be" : failure.toString());
            return false;
        }
        position = position.withCorrupt(quarantined.messagesLost());
        read += quarantined.messagesLost();
        lastRead = Math.max(readFrom(), quarantined.lastIndex());
        quarantinedThrough = lastRead;
        advance();
        return true;
    }

    private void closeTailer() {
        if (tailer == null) return;
        try {
            tailer.close();
        } catch (RuntimeException e) {
            LOG.debug("Closing a tailer of {} failed: {}", queue.label(), e.toString());
        }
        tailer = null;
    }

    private Message readLive(Bytes<?> bytes, long index, long nowMillis) {
        try {
            if (!header.read(bytes, queue.cycleStartMillis(queue.cycleOf(index)))) {
                throw new MessageCodec.CorruptRecordException("unknown record format");
            }
            if (nowMillis >= header.expiryMillis) {
                settle(index, Outcome.EXPIRED);
                return null;
            }
            byte[] payload = new byte[(int) bytes.readRemaining()];
            bytes.read(payload);
            return MessageCodec.decode(payload);
        } catch (RuntimeException e) {
            LOG.error("Skipping unreadable record {} in {}: {}", index, queue.label(), e.getMessage());
            settle(index, Outcome.CORRUPT);
            return null;
        }
    }

    private void settle(long index, Outcome outcome) {
        outstanding.put(index, outcome);
        switch (outcome) {
            case DELIVERED -> deliveredBeyond++;
            case EXPIRED -> expiredBeyond++;
            case CORRUPT -> corruptBeyond++;
            default -> { }
        }
        advance();
    }

    /** Moves the position over the settled prefix of what was handed out, and publishes it. */
    private void advance() {
        long index0 = position.index();
        Passing passing = new Passing();
        Map.Entry<Long, Outcome> head;
        while ((head = outstanding.firstEntry()) != null && head.getValue() != Outcome.PENDING) {
            outstanding.pollFirstEntry();
            index0 = head.getKey();
            passing.add(head.getValue());
        }
        position = passing.applyTo(position, index0, 0);
        queue.publish(this, position, deliveredBeyond, expiredBeyond, corruptBeyond);
    }

    /** Tallies settled messages as the position passes them, taking them out of the counts beyond it. */
    private final class Passing {
        long delivered;
        long deadLettered;
        long expired;
        long corrupt;

        void add(Outcome outcome) {
            switch (outcome) {
                case DELIVERED -> {
                    delivered++;
                    deliveredBeyond--;
                }
                case EXPIRED -> {
                    expired++;
                    expiredBeyond--;
                }
                case CORRUPT -> {
                    corrupt++;
                    corruptBeyond--;
                }
                case DEAD_LETTERED -> deadLettered++;
                default -> { }
            }
        }

        long settled() {
            return delivered + deadLettered + expired + corrupt;
        }

        Position applyTo(Position p, long index, long droppedQuota) {
            return new Position(index, p.delivered() + delivered, p.expired() + expired,
                    p.droppedQuota() + droppedQuota, p.corrupt() + corrupt, p.deadLettered() + deadLettered);
        }
    }
}
