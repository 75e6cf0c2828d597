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
 * moves the checkpoint over the settled (acknowledged, expired or unreadable) prefix of what it
 * handed out, however the acknowledgements are ordered. Not thread-safe: its consumer locks.
 */
final class QueueCursor {

    private static final Logger LOG = LoggerFactory.getLogger(QueueCursor.class);

    private enum Outcome { PENDING, DELIVERED, EXPIRED, DISCARDED }

    private final EndpointQueue queue;
    private final Object lock;
    private final TreeMap<Long, Outcome> outstanding = new TreeMap<>();
    private ExcerptTailer tailer;
    private Position position;
    private long read;
    private long lastRead = Checkpoint.NONE;
    private long deliveredBeyond;
    private long expiredBeyond;

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
        long dropped = Math.max(0, all - passing.delivered - passing.expired - passing.discarded);
        position = new Position(index, position.delivered() + passing.delivered, position.expired() + passing.expired,
                position.discarded() + passing.discarded + dropped);
        if (lastRead == Checkpoint.NONE || lastRead < index) {
            // Its file is about to go: read on from the next one.
            if (tailer != null) tailer.close();
            tailer = null;
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
        if (tailer == null) tailer = queue.tailerFrom(position.index());
        while (true) {
            try (DocumentContext dc = tailer.readingDocument()) {
                if (!dc.isPresent()) return null;
                long index = dc.index();
                if (index <= position.index()) continue;
                read++;
                lastRead = index;
                Message message = readLive(dc.wire().bytes(), index, nowMillis);
                if (message != null) {
                    outstanding.put(index, Outcome.PENDING);
                    return new StoredMessage(queue.key().endpointId(), queue.key().priority(), index, message);
                }
            }
        }
    }

    /** Settles a handed-out message; anything else (unknown, already settled) changes nothing. */
    boolean acknowledge(long index) {
        if (outstanding.get(index) != Outcome.PENDING) return false;
        settle(index, Outcome.DELIVERED);
        return true;
    }

    /** Lets go of the queue; what was handed out but not acknowledged is read again by the next owner. */
    void close() {
        if (tailer != null) tailer.close();
        tailer = null;
        queue.detach(this);
    }

    private Message readLive(Bytes<?> bytes, long index, long nowMillis) {
        try {
            if (bytes.readRemaining() < 9 || bytes.readByte() != EndpointQueue.RECORD_FORMAT) {
                throw new MessageCodec.CorruptRecordException("unknown record format");
            }
            long expiry = bytes.readLong();
            if (nowMillis >= expiry) {
                settle(index, Outcome.EXPIRED);
                return null;
            }
            byte[] payload = new byte[(int) bytes.readRemaining()];
            bytes.read(payload);
            return MessageCodec.decode(payload);
        } catch (MessageCodec.CorruptRecordException e) {
            LOG.error("Skipping unreadable record {} in queue {} (priority {}): {}", index,
                    queue.key().endpointId(), queue.key().priority(), e.getMessage());
            settle(index, Outcome.DISCARDED);
            return null;
        }
    }

    private void settle(long index, Outcome outcome) {
        outstanding.put(index, outcome);
        if (outcome == Outcome.DELIVERED) deliveredBeyond++;
        if (outcome == Outcome.EXPIRED) expiredBeyond++;
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
        position = new Position(index0, position.delivered() + passing.delivered, position.expired() + passing.expired,
                position.discarded() + passing.discarded);
        queue.publish(this, position, deliveredBeyond, expiredBeyond);
    }

    /** Tallies settled messages as the position passes them, taking them out of the counts beyond it. */
    private final class Passing {
        long delivered;
        long expired;
        long discarded;

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
                case DISCARDED -> discarded++;
                default -> { }
            }
        }
    }
}
