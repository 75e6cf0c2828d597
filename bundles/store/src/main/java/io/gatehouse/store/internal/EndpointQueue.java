package io.gatehouse.store.internal;

import io.gatehouse.api.store.QueueStatus;
import io.gatehouse.store.internal.Checkpoint.Position;
import java.io.Closeable;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.RollingResourcesCache;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Chronicle queue (an endpoint at one priority) with its checkpoint. Appends are serialised by
 * a lock, which keeps the queue FIFO across appending threads. The checkpoint moves only for the
 * cursor that currently owns the queue, so a closed consumer's late acknowledgement changes nothing.
 */
final class EndpointQueue implements Closeable {

    /** First byte of every record, so a future layout can be told apart. */
    static final byte RECORD_FORMAT = 1;

    static final String QUEUE_DIRECTORY = "queue";
    static final String CHECKPOINT_FILE = "checkpoint";
    /** Under the store directory: damaged queue files, in a folder per queue. */
    static final String QUARANTINE_DIRECTORY = "quarantine";

    private static final Logger LOG = LoggerFactory.getLogger(EndpointQueue.class);
    private static final String CYCLE_FILE_SUFFIX = ".cq4";
    /** The checkpoint file and Chronicle's metadata file (its touched pages), counted once per queue. */
    static final long QUEUE_OVERHEAD_BYTES = 4096 + 16384;

    private final QueueKey key;
    private final SingleChronicleQueue queue;
    private final Checkpoint checkpoint;
    private final CycleFileSync sync;
    private final StoreQuota quota;
    private final CycleLedger ledger = new CycleLedger();
    private final Object appendLock = new Object();
    private final ExcerptAppender appender;
    private volatile long appended;
    private boolean closed;

    // Guarded by this.
    private Object owner; // the attached QueueCursor
    private Position committed;
    private long deliveredAhead;
    private long expiredAhead;
    private int lowestKeptCycle = Integer.MIN_VALUE;
    private volatile Runnable onAppend;
    private int lastAppendCycle = Integer.MIN_VALUE; // guarded by appendLock

    private EndpointQueue(QueueKey key, SingleChronicleQueue queue, Checkpoint checkpoint, boolean syncOnAppend,
            StoreQuota quota) {
        this.key = key;
        this.queue = queue;
        this.checkpoint = checkpoint;
        this.sync = syncOnAppend ? new CycleFileSync() : null;
        this.quota = quota;
        this.committed = checkpoint.position();
        this.appender = queue.createAppender();
        appender.singleThreadedCheckDisabled(true);
        quota.grew(QUEUE_OVERHEAD_BYTES);
        synchronized (this) {
            // Files a crash left behind between a checkpoint move and their deletion.
            if (committed.index() != Checkpoint.NONE) releaseCyclesBefore(queue.rollCycle().toCycle(committed.index()));
        }
        this.appended = committed.passed() + countAfter(committed.index());
    }

    /** The clock also decides which cycle file an append goes to. */
    static EndpointQueue open(QueueKey key, Path directory, RollCycle rollCycle, boolean syncOnAppend,
            LongSupplier clock, StoreQuota quota, AtomicLong quarantined) throws IOException {
        Path quarantine = directory.getParent().resolve(QUARANTINE_DIRECTORY).resolve(directory.getFileName());
        DamagedFileQuarantine.check(directory.resolve(QUEUE_DIRECTORY), quarantine, rollCycle, clock, quarantined);
        Files.createDirectories(directory);
        Checkpoint checkpoint = Checkpoint.open(directory.resolve(CHECKPOINT_FILE));
        SingleChronicleQueue queue = null;
        try {
            queue = SingleChronicleQueueBuilder.binary(directory.resolve(QUEUE_DIRECTORY))
                    .rollCycle(rollCycle)
                    .timeProvider(clock::getAsLong)
                    .build();
            if (syncOnAppend) {
                // A queue created just before a power cut must still be found: its directories' entries too.
                CycleFileSync.forceDirectory(directory.getParent().toFile());
                CycleFileSync.forceDirectory(directory.toFile());
            }
            return new EndpointQueue(key, queue, checkpoint, syncOnAppend, quota);
        } catch (RuntimeException e) {
            if (queue != null) queue.close();
            checkpoint.close();
            throw new IOException("cannot open queue " + directory + ": " + e.getMessage(), e);
        }
    }

    QueueKey key() {
        return key;
    }

    /** Writes one record; when this returns it is in the page cache (and on the device with sync on). */
    void append(byte[] payload, long expiryMillis) throws IOException {
        synchronized (appendLock) {
            if (closed) throw new IOException("queue " + key.endpointId() + " is closed");
            long end;
            try (DocumentContext dc = appender.writingDocument()) {
                try {
                    Bytes<?> bytes = dc.wire().bytes();
                    bytes.writeByte(RECORD_FORMAT);
                    bytes.writeLong(expiryMillis);
                    bytes.write(payload);
                    end = bytes.writePosition();
                } catch (RuntimeException e) {
                    dc.rollbackOnClose();
                    throw e;
                }
            } catch (RuntimeException e) {
                throw new IOException("cannot append to queue " + key.endpointId() + ": " + e.getMessage(), e);
            }
            appended++;
            long index = appender.lastIndexAppended();
            int cycle = queue.rollCycle().toCycle(index);
            quota.grew(ledger.record(cycle, index, end));
            if (sync != null) sync.force(appender.currentFile());
            if (cycle != lastAppendCycle) {
                // A roll: the file before may now be wholly passed and no longer written.
                lastAppendCycle = cycle;
                reclaimPassedCycles();
            }
        }
    }

    /**
     * Deletes the files whose every message is passed and that are no longer written (their
     * cycle is over), the checkpoint's own file included; returns the bytes freed.
     */
    synchronized long reclaimPassedCycles() {
        long before = ledger.bytes();
        int current = queue.cycle();
        Integer oldest;
        while ((oldest = ledger.oldestCycle()) != null && oldest < current
                && ledger.lastIndex(oldest) <= committed.index() && committed.index() != Checkpoint.NONE) {
            releaseCyclesBefore(oldest + 1);
            if (ledger.lastIndex(oldest) != Checkpoint.NONE) break; // could not delete it
        }
        return before - ledger.bytes();
    }

    /** The start time of this queue's oldest file that is no longer written, or Long.MAX_VALUE when none. */
    long oldestClosedCycleStart() {
        Integer oldest = ledger.oldestCycle();
        if (oldest == null || oldest >= queue.cycle()) return Long.MAX_VALUE;
        return (long) oldest * queue.rollCycle().lengthInMillis();
    }

    /**
     * Passes every message of the oldest file no longer written without delivering it and deletes
     * the file, to make room; returns how many messages were dropped, or -1 when there was no such file.
     */
    long dropOldestClosedCycle() {
        Integer oldest = ledger.oldestCycle();
        if (oldest == null || oldest >= queue.cycle()) return -1;
        long last = ledger.lastIndex(oldest);
        long dropped;
        while (true) {
            QueueCursor cursor;
            synchronized (this) {
                cursor = owner instanceof QueueCursor c ? c : null;
                if (cursor == null) {
                    dropped = passWithoutOwner(last);
                    break;
                }
            }
            // The cursor is guarded by its consumer's lock, always taken before this queue's.
            synchronized (cursor.lock()) {
                synchronized (this) {
                    if (owner == cursor) {
                        dropped = cursor.skipThrough(last);
                        break;
                    }
                }
            }
        }
        synchronized (this) {
            releaseCyclesBefore(oldest + 1);
        }
        return dropped;
    }

    /** Messages in this queue's files after {@code afterIndex} up to {@code throughIndex}. */
    long countBetween(long afterIndex, long throughIndex) {
        return ledger.countBetween(afterIndex, throughIndex, queue.rollCycle());
    }

    /** Bytes of this queue's files as accounted (written part of each cycle file). */
    long accountedBytes() {
        return ledger.bytes();
    }

    private long passWithoutOwner(long last) {
        if (committed.index() != Checkpoint.NONE && last <= committed.index()) return 0;
        long dropped = countBetween(committed.index(), last);
        committed = new Position(last, committed.delivered(), committed.expired(), committed.discarded() + dropped);
        checkpoint.moveTo(committed);
        return dropped;
    }

    void onAppend(Runnable listener) {
        onAppend = listener;
    }

    void signalAppended() {
        Runnable listener = onAppend;
        if (listener != null) listener.run();
    }

    /** Messages ever appended (restored after a restart from the checkpoint plus what follows it). */
    long appended() {
        return appended;
    }

    /** A tailer whose reads start at the checkpoint's message or before it; callers skip up to it. */
    ExcerptTailer tailerFrom(long checkpointIndex) {
        ExcerptTailer tailer = queue.createTailer();
        tailer.singleThreadedCheckDisabled(true);
        if (checkpointIndex == Checkpoint.NONE || !tailer.moveToIndex(checkpointIndex)) tailer.toStart();
        return tailer;
    }

    /** Makes {@code newOwner} the only one that may move the checkpoint; returns where it stands. */
    synchronized Position attach(Object newOwner, Runnable appendListener) {
        owner = newOwner;
        deliveredAhead = 0;
        expiredAhead = 0;
        onAppend = appendListener;
        return committed;
    }

    synchronized void detach(Object oldOwner) {
        if (owner != oldOwner) return;
        owner = null;
        deliveredAhead = 0;
        expiredAhead = 0;
        onAppend = null;
    }

    /**
     * Records the owner's progress: the new checkpoint, and the acknowledged and expired messages
     * beyond it (counted in the status, forgotten if the owner goes away before passing them).
     */
    synchronized void publish(Object from, Position next, long deliveredBeyond, long expiredBeyond) {
        if (from != owner) return;
        if (!next.equals(committed)) {
            // Not forced even with sync on: a checkpoint lost to power failure only replays messages.
            checkpoint.moveTo(next);
            committed = next;
            releaseCyclesBefore(queue.rollCycle().toCycle(next.index()));
        }
        deliveredAhead = deliveredBeyond;
        expiredAhead = expiredBeyond;
    }

    synchronized QueueStatus status() {
        long total = appended;
        return new QueueStatus(key.endpointId(), key.priority(), total - committed.passed(), total,
                committed.delivered() + deliveredAhead, committed.expired() + expiredAhead);
    }

    @Override
    public void close() throws IOException {
        synchronized (appendLock) {
            if (closed) return;
            closed = true;
            try {
                appender.close();
                if (sync != null) sync.close();
            } finally {
                synchronized (this) {
                    owner = null;
                    onAppend = null;
                }
                try {
                    queue.close();
                } finally {
                    quota.shrank(ledger.bytes() + QUEUE_OVERHEAD_BYTES);
                    checkpoint.close();
                }
            }
        }
    }

    private long countAfter(long checkpointIndex) {
        long count = 0;
        try (ExcerptTailer tailer = tailerFrom(checkpointIndex)) {
            while (true) {
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (!dc.isPresent()) return count;
                    long index = dc.index();
                    quota.grew(ledger.record(queue.rollCycle().toCycle(index), index, dc.wire().bytes().readLimit()));
                    if (index > checkpointIndex) count++;
                }
            }
        }
    }

    /**
     * Chronicle never deletes its files; cycle files wholly before the checkpoint's cycle hold only
     * passed messages, so they go. The checkpoint's own cycle stays: a reopened tailer seeks there.
     */
    private void releaseCyclesBefore(int cycle) {
        if (cycle <= lowestKeptCycle) return;
        lowestKeptCycle = cycle;
        File directory = queue.file();
        File[] files = directory.listFiles((dir, name) -> name.endsWith(CYCLE_FILE_SUFFIX));
        if (files == null) return;
        RollingResourcesCache names = new RollingResourcesCache(queue.rollCycle(), queue.epoch(),
                name -> new File(directory, name + CYCLE_FILE_SUFFIX),
                file -> file.getName().substring(0, file.getName().length() - CYCLE_FILE_SUFFIX.length()));
        boolean deleted = false;
        boolean undeleted = false;
        for (File file : files) {
            try {
                String name = file.getName();
                int fileCycle = names.parseCount(name.substring(0, name.length() - CYCLE_FILE_SUFFIX.length()));
                if (fileCycle < cycle) {
                    Files.deleteIfExists(file.toPath());
                    deleted = true;
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("Could not delete passed queue file {}: {}", file, e.toString());
                undeleted = true;
            }
        }
        Integer oldest;
        while (!undeleted && (oldest = ledger.oldestCycle()) != null && oldest < cycle) {
            quota.shrank(ledger.release(oldest));
        }
        if (deleted) queue.refreshDirectoryListing();
    }
}
