package io.gatehouse.store.internal;

import io.gatehouse.api.message.Message;
import io.gatehouse.api.store.DeadLetter;
import io.gatehouse.api.store.StoreException;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dead letters of one endpoint: an {@link EndpointQueue} nobody consumes, whose checkpoint
 * marks what was purged or requeued. Its records are ordinary queue records (format 2, no expiry,
 * the append time being when the message was dead-lettered) whose payload is
 * {@code int priority | int reason length | reason (UTF-8) | message} (the message as
 * {@link MessageCodec} writes it). All operations are serialised by this object's lock.
 */
final class DeadLetterQueue implements Closeable {

    /** Under the store directory: one queue directory per endpoint with dead letters. */
    static final String DIRECTORY = "deadletter";
    /** A longer reason is cut: it is a diagnostic, not data. */
    static final int MAX_REASON_CHARS = 1024;

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterQueue.class);

    private final String endpointId;
    private final EndpointQueue queue;
    private final TreeMap<Integer, Long> held = new TreeMap<>(); // by origin priority; guarded by this

    /** Decides whether a record of this many bytes may be written; throws with the reason when not. */
    @FunctionalInterface
    interface Room {
        void check(long bytes) throws StoreException;
    }

    private DeadLetterQueue(String endpointId, EndpointQueue queue) {
        this.endpointId = endpointId;
        this.queue = queue;
    }

    static DeadLetterQueue open(String endpointId, Path directory, Path quarantine, RollCycle rollCycle,
            boolean syncOnAppend, LongSupplier clock, StoreQuota quota, AtomicLong quarantined) throws IOException {
        EndpointQueue queue = EndpointQueue.open(new QueueKey(endpointId, 0), "dead-letter queue of " + endpointId,
                directory, quarantine, rollCycle, syncOnAppend, clock, quota, quarantined);
        DeadLetterQueue letters = new DeadLetterQueue(endpointId, queue);
        try {
            synchronized (letters) {
                letters.read(Checkpoint.NONE, Integer.MAX_VALUE, letter -> letters.count(letter.priority(), 1));
            }
            return letters;
        } catch (RuntimeException e) {
            queue.close();
            throw new IOException("cannot read " + queue.label() + ": " + e.getMessage(), e);
        }
    }

    EndpointQueue queue() {
        return queue;
    }

    /**
     * Stores a refused message, as {@link #encode} made it, durably (in the page cache, or on the
     * device with sync on). The caller has checked the room for it.
     */
    synchronized void add(int priority, byte[] payload, long nowMillis) throws StoreException {
        try {
            queue.append(payload, payload.length, Long.MAX_VALUE, nowMillis);
        } catch (IOException e) {
            throw new StoreException("message not dead-lettered: " + e.getMessage(), e);
        }
        count(priority, 1);
    }

    /** Dead letters held that came from the endpoint's queue of this priority. */
    synchronized long held(int priority) {
        return held.getOrDefault(priority, 0L);
    }

    synchronized Set<Integer> priorities() {
        return new TreeSet<>(held.keySet());
    }

    /** Up to {@code max} held dead letters after the one at index {@code afterIndex}, oldest first. */
    synchronized List<DeadLetter> list(long afterIndex, int max) {
        List<DeadLetter> out = new ArrayList<>(Math.min(max, 64));
        read(afterIndex, max, letter -> out.add(new DeadLetter(endpointId, letter.priority(), letter.index(),
                letter.deadLetteredAt(), letter.reason(), MessageCodec.decode(letter.message()))));
        return out;
    }

    /** Removes every held dead letter; returns how many records that passed. */
    synchronized long purge() {
        long removed = queue.removeThrough(queue.lastIndex());
        held.clear();
        return removed;
    }

    /**
     * Appends every held dead letter back to its queue ({@code target} by priority), without
     * expiry, oldest first, removing each from this queue as soon as it is back (a crash in
     * between keeps it in both: at least once). Stops with an exception at the first that cannot
     * be appended; those before it stay requeued. Returns how many were requeued; {@code touched}
     * collects the queues written, whose consumers the caller wakes once the lock is released.
     */
    synchronized long requeue(IntFunction<EndpointQueue> target, Room room, long nowMillis,
            Set<EndpointQueue> touched) throws StoreException {
        List<Letter> letters = new ArrayList<>();
        read(Checkpoint.NONE, Integer.MAX_VALUE, letters::add);
        long done = 0;
        for (Letter letter : letters) {
            EndpointQueue destination = target.apply(letter.priority());
            String failure = null;
            if (destination == null) {
                failure = "queue " + endpointId + " (priority " + letter.priority() + ") is not open";
            } else {
                try {
                    room.check(letter.message().length + ChronicleMessageStore.RECORD_OVERHEAD_BYTES);
                    destination.append(letter.message(), letter.message().length, Long.MAX_VALUE, nowMillis);
                } catch (StoreException | IOException e) {
                    failure = e.getMessage();
                }
            }
            if (failure != null) {
                throw new StoreException("requeued " + done + " of " + letters.size() + " dead letters of " + endpointId
                        + ", then: " + failure);
            }
            touched.add(destination);
            queue.removeThrough(letter.index());
            count(letter.priority(), -1);
            done++;
        }
        // Unreadable records after the last letter go too: nobody can requeue them.
        queue.removeThrough(queue.lastIndex());
        held.clear();
        return done;
    }

    @Override
    public void close() throws IOException {
        queue.close();
    }

    private void count(int priority, long delta) {
        long next = held.getOrDefault(priority, 0L) + delta;
        if (next <= 0) held.remove(priority);
        else held.put(priority, next);
    }

    /** One held dead letter as stored; {@code message} is still encoded. */
    record Letter(long index, int priority, long deadLetteredAt, String reason, byte[] message) {
    }

    /**
     * Reads up to {@code max} held letters after the checkpoint and after the one at {@code afterIndex};
     * unreadable ones are skipped.
     */
    private void read(long afterIndex, int max, java.util.function.Consumer<Letter> visitor) {
        if (max <= 0) return;
        long after = afterIndex < 0 ? Checkpoint.NONE : afterIndex; // Chronicle indexes are never negative
        long from = Math.max(queue.checkpointIndex(), after); // NONE is Long.MIN_VALUE
        RecordHeader header = new RecordHeader();
        int seen = 0;
        try (ExcerptTailer tailer = queue.tailerFrom(from)) {
            while (seen < max) {
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (!dc.isPresent()) return;
                    long index = dc.index();
                    if (from != Checkpoint.NONE && index <= from) continue;
                    Letter letter = decode(dc.wire().bytes(), index, header);
                    if (letter == null) continue;
                    visitor.accept(letter);
                    seen++;
                }
            }
        } catch (RuntimeException e) {
            // Damage here is quarantined at the next start; what was read so far is good.
            LOG.error("Reading {} stopped early: {}", queue.label(), e.toString());
        }
    }

    private Letter decode(Bytes<?> bytes, long index, RecordHeader header) {
        try {
            if (!header.read(bytes, queue.cycleStartMillis(queue.cycleOf(index)))) {
                throw new MessageCodec.CorruptRecordException("unknown record format");
            }
            byte[] payload = new byte[(int) bytes.readRemaining()];
            bytes.read(payload);
            ByteBuffer in = ByteBuffer.wrap(payload);
            if (in.remaining() < 8) throw new MessageCodec.CorruptRecordException("dead letter too short");
            int priority = in.getInt();
            int reasonLength = in.getInt();
            if (reasonLength < 0 || reasonLength > in.remaining()) {
                throw new MessageCodec.CorruptRecordException("reason length " + reasonLength + " runs past the record");
            }
            String reason = new String(payload, 8, reasonLength, StandardCharsets.UTF_8);
            byte[] message = new byte[payload.length - 8 - reasonLength];
            System.arraycopy(payload, 8 + reasonLength, message, 0, message.length);
            MessageCodec.decode(message); // refuses a record whose message does not parse
            return new Letter(index, priority, header.appendedAtMillis, reason, message);
        } catch (RuntimeException e) {
            LOG.error("Skipping unreadable dead letter {} in {}: {}", index, queue.label(), e.getMessage());
            return null;
        }
    }

    static byte[] encode(int priority, String reason, Message message) {
        String kept = reason.length() > MAX_REASON_CHARS ? reason.substring(0, MAX_REASON_CHARS) : reason;
        byte[] reasonBytes = kept.getBytes(StandardCharsets.UTF_8);
        byte[] messageBytes = MessageCodec.encode(message);
        return ByteBuffer.allocate(8 + reasonBytes.length + messageBytes.length)
                .putInt(priority).putInt(reasonBytes.length).put(reasonBytes).put(messageBytes).array();
    }
}
