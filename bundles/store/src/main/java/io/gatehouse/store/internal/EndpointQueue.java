package io.gatehouse.store.internal;

import io.gatehouse.api.store.QueueStatus;
import io.gatehouse.store.internal.Checkpoint.Position;
import java.io.Closeable;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
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

    static final String QUEUE_DIRECTORY = "queue";
    static final String CHECKPOINT_FILE = "checkpoint";
    /** Under the store directory: damaged queue files, in a folder per queue. */
    static final String QUARANTINE_DIRECTORY = "quarantine";

    private static final Logger LOG = LoggerFactory.getLogger(EndpointQueue.class);
    private static final String CYCLE_FILE_SUFFIX = ".cq4";
    /** The checkpoint file and Chronicle's metadata file (its touched pages), counted once per queue. */
    static final long QUEUE_OVERHEAD_BYTES = 4096 + 16384;
    /**
     * How long Chronicle waits for a header it finds unfinished. Only a dead writer leaves one
     * (appends in this process are serialised and the directory lock keeps other processes out),
     * and a damaged file looks the same: Chronicle's default of 10 s would block a poll that long
     * (twice) before the damage can be dealt with.
     */
    static final long HEADER_TIMEOUT_MS = 500;

    private final QueueKey key;
    private final String label;
    private final Path quarantine;
    private final AtomicLong quarantinedFiles;
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
    private long corruptAhead;
    private int lowestKeptCycle = Integer.MIN_VALUE;
    private long oldestCachedFor = Checkpoint.NONE; // the checkpoint index the cached append time belongs to
    private long oldestCachedAt = -1;
    private volatile Runnable onAppend;
    private int lastAppendCycle = Integer.MIN_VALUE; // guarded by appendLock

    private EndpointQueue(QueueKey key, String label, Path quarantine, AtomicLong quarantinedFiles,
            SingleChronicleQueue queue, Checkpoint checkpoint, boolean syncOnAppend, StoreQuota quota) {
        this.key = key;
        this.label = label;
        this.quarantine = quarantine;
        this.quarantinedFiles = quarantinedFiles;
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

    /**
     * Opens (or creates) the queue in {@code directory}; damaged files go to {@code quarantine},
     * at open and when a reader finds them later. {@code label} names the queue in log lines.
     * The clock also decides which cycle file an append goes to.
     */
    static EndpointQueue open(QueueKey key, String label, Path directory, Path quarantine, RollCycle rollCycle,
            boolean syncOnAppend, LongSupplier clock, StoreQuota quota, AtomicLong quarantined) throws IOException {
        Files.createDirectories(directory);
        Checkpoint checkpoint = Checkpoint.open(directory.resolve(CHECKPOINT_FILE));
        SingleChronicleQueue queue = null;
        try {
            long lost = DamagedFileQuarantine.check(directory.resolve(QUEUE_DIRECTORY), quarantine, rollCycle, clock,
                    quarantined, checkpoint.position().index());
            if (lost > 0) checkpoint.moveTo(checkpoint.position().withCorrupt(lost));
            queue = SingleChronicleQueueBuilder.binary(directory.resolve(QUEUE_DIRECTORY))
                    .rollCycle(rollCycle)
                    .timeProvider(clock::getAsLong)
                    .timeoutMS(HEADER_TIMEOUT_MS)
                    .build();
            if (syncOnAppend) {
                // A queue created just before a power cut must still be found: its directories' entries too.
                CycleFileSync.forceDirectory(directory.getParent().toFile());
                CycleFileSync.forceDirectory(directory.toFile());
            }
            return new EndpointQueue(key, label, quarantine, quarantined, queue, checkpoint, syncOnAppend, quota);
        } catch (IOException | RuntimeException e) {
            if (queue != null) queue.close();
            checkpoint.close();
            throw new IOException("cannot open queue " + directory + ": " + e.getMessage(), e);
        }
    }

    QueueKey key() {
        return key;
    }

    /** How log lines name this queue. */
    String label() {
        return label;
    }

    /** Writes one record; when this returns it is in the page cache (and on the device with sync on). */
    void append(byte[] payload, int length, long expiryMillis, long appendedAtMillis) throws IOException {
        synchronized (appendLock) {
            if (closed) throw new IOException(label + " is closed");
            long end;
            try (DocumentContext dc = appender.writingDocument()) {
                try {
                    Bytes<?> bytes = dc.wire().bytes();
                    RecordHeader.write(bytes, expiryMillis, appendedAtMillis);
                    bytes.write(payload, 0, length);
                    end = bytes.writePosition();
                } catch (RuntimeException e) {
                    dc.rollbackOnClose();
                    throw e;
                }
            } catch (RuntimeException e) {
                throw new IOException("cannot append to " + label + ": " + e.getMessage(), e);
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
        committed = new Position(last, committed.delivered(), committed.expired(), committed.droppedQuota() + dropped,
                committed.corrupt(), committed.deadLettered());
        checkpoint.moveTo(committed);
        return dropped;
    }

    /**
     * For a queue no consumer reads (a dead-letter queue): passes every message up to {@code last}
     * as taken away, and reclaims what that frees. Returns how many it passed.
     */
    synchronized long removeThrough(long last) {
        if (owner != null) throw new IllegalStateException(label + " is being consumed");
        if (last == Checkpoint.NONE || (committed.index() != Checkpoint.NONE && last <= committed.index())) return 0;
        long removed = countBetween(committed.index(), last);
        committed = new Position(last, committed.delivered() + removed, committed.expired(), committed.droppedQuota(),
                committed.corrupt(), committed.deadLettered());
        checkpoint.moveTo(committed);
        releaseCyclesBefore(queue.rollCycle().toCycle(last));
        reclaimPassedCycles();
        return removed;
    }

    /** The index of the last message passed, or {@link Checkpoint#NONE}. */
    synchronized long checkpointIndex() {
        return committed.index();
    }

    /** The index of the newest message in the queue's files, or {@link Checkpoint#NONE}. */
    long lastIndex() {
        return ledger.lastIndex();
    }

    /** The index of the first message after {@code index}, or {@link Checkpoint#NONE} when none is known. */
    long indexAfter(long index) {
        return ledger.indexAfter(index, queue.rollCycle());
    }

    int cycleOf(long index) {
        return queue.rollCycle().toCycle(index);
    }

    /** Whether a cycle older than the newest one written: appends never go to it again. */
    boolean isClosedCycle(int cycle) {
        Integer newest = ledger.newestCycle();
        return newest != null && cycle < newest;
    }

    /** Where a cycle's records stand in for their append time when they have none (format 1). */
    long cycleStartMillis(int cycle) {
        return queue.epoch() + (long) cycle * queue.rollCycle().lengthInMillis();
    }

    /** What a runtime quarantine took away: the messages lost, and the last index of the file. */
    record Quarantined(long messagesLost, long lastIndex) {
    }

    /**
     * Moves a damaged cycle file, one no longer written, to the quarantine folder, and forgets it.
     * The messages in it after {@code afterIndex} are lost (the ledger knows its last index).
     * Returns null when the cycle may still be written (the newest one), which is never moved.
     */
    synchronized Quarantined quarantineCycle(int cycle, long afterIndex) {
        if (!isClosedCycle(cycle)) return null;
        long last = ledger.lastIndex(cycle);
        long beforeCycle = queue.rollCycle().toIndex(cycle, 0) - 1;
        long from = afterIndex == Checkpoint.NONE || afterIndex < beforeCycle ? beforeCycle : afterIndex;
        long lost = last == Checkpoint.NONE ? 0 : ledger.countBetween(from, last, queue.rollCycle());
        File file = cycleFile(cycle);
        try {
            Path target = DamagedFileQuarantine.moveToQuarantine(file.toPath(), quarantine);
            quarantinedFiles.incrementAndGet();
            LOG.error("Queue file {} of {} is damaged (Chronicle cannot read through it); moved to {} while running. "
                    + "{} unread messages in it are lost; reading goes on with the next file", file, label, target, lost);
        } catch (IOException | RuntimeException e) {
            LOG.error("Queue file {} of {} is damaged and could not be moved to {} ({}); reading goes on with the "
                    + "next file, {} unread messages in it are lost", file, label, quarantine, e.toString(), lost);
        }
        quota.shrank(ledger.release(cycle));
        queue.refreshDirectoryListing();
        oldestCachedAt = -1;
        return new Quarantined(lost, last == Checkpoint.NONE ? queue.rollCycle().toIndex(cycle + 1, 0) - 1 : last);
    }

    private File cycleFile(int cycle) {
        return names().resourceFor(cycle).path;
    }

    private RollingResourcesCache names() {
        File directory = queue.file();
        return new RollingResourcesCache(queue.rollCycle(), queue.epoch(),
                name -> new File(directory, name + CYCLE_FILE_SUFFIX),
                file -> file.getName().substring(0, file.getName().length() - CYCLE_FILE_SUFFIX.length()));
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

    /**
     * A tailer whose reads start at {@code index}'s message or before it; callers skip up to it.
     * When that message's file is gone (deleted, quarantined), reading starts at the next file.
     */
    ExcerptTailer tailerFrom(long index) {
        ExcerptTailer tailer = queue.createTailer();
        try {
            tailer.singleThreadedCheckDisabled(true);
            if (index == Checkpoint.NONE || tailer.moveToIndex(index)) return tailer;
            Integer next = ledger.cycleAfter(queue.rollCycle().toCycle(index));
            if (next == null || !tailer.moveToIndex(queue.rollCycle().toIndex(next, 0))) tailer.toStart();
            return tailer;
        } catch (RuntimeException e) {
            tailer.close();
            throw e;
        }
    }

    /**
     * Whether the message at {@code index} can be read by a tailer that goes straight to it, and,
     * if so, that tailer (positioned on it); null otherwise. Tells a damaged file from a tailer
     * that lost its way.
     */
    ExcerptTailer tailerAt(long index) {
        ExcerptTailer tailer = queue.createTailer();
        boolean ok = false;
        try {
            tailer.singleThreadedCheckDisabled(true);
            if (tailer.moveToIndex(index)) {
                try (DocumentContext dc = tailer.readingDocument()) {
                    ok = dc.isPresent() && dc.index() == index;
                    if (ok) dc.rollbackOnClose();
                }
            }
            return ok ? tailer : null;
        } catch (RuntimeException e) {
            return null;
        } finally {
            if (!ok) tailer.close();
        }
    }

    /** Makes {@code newOwner} the only one that may move the checkpoint; returns where it stands. */
    synchronized Position attach(Object newOwner, Runnable appendListener) {
        owner = newOwner;
        deliveredAhead = 0;
        expiredAhead = 0;
        corruptAhead = 0;
        onAppend = appendListener;
        return committed;
    }

    synchronized void detach(Object oldOwner) {
        if (owner != oldOwner) return;
        owner = null;
        deliveredAhead = 0;
        expiredAhead = 0;
        corruptAhead = 0;
        onAppend = null;
    }

    /**
     * Records the owner's progress: the new checkpoint, and the acknowledged, expired and unreadable
     * messages beyond it (counted in the status, forgotten if the owner goes away before passing them).
     */
    synchronized void publish(Object from, Position next, long deliveredBeyond, long expiredBeyond,
            long corruptBeyond) {
        if (from != owner) return;
        if (!next.equals(committed)) {
            // Not forced even with sync on: a checkpoint lost to power failure only replays messages.
            checkpoint.moveTo(next);
            committed = next;
            releaseCyclesBefore(queue.rollCycle().toCycle(next.index()));
        }
        deliveredAhead = deliveredBeyond;
        expiredAhead = expiredBeyond;
        corruptAhead = corruptBeyond;
    }

    /** The queue's figures at {@code nowMillis}, with the dead letters its endpoint holds from it. */
    synchronized QueueStatus status(long nowMillis, long deadLetters) {
        long total = appended;
        long pending = total - committed.passed();
        long expired = committed.expired() + expiredAhead;
        long oldest = pending <= 0 ? -1 : oldestAppendedAt();
        return new QueueStatus(key.endpointId(), key.priority(), pending, total,
                committed.delivered() + deliveredAhead, expired,
                oldest < 0 ? -1 : Math.max(0, nowMillis - oldest), accountedBytes() + QUEUE_OVERHEAD_BYTES,
                Map.of(QueueStatus.DROPPED_TTL_EXPIRY, expired,
                        QueueStatus.DROPPED_QUOTA, committed.droppedQuota(),
                        QueueStatus.DROPPED_CORRUPT, committed.corrupt() + corruptAhead),
                deadLetters);
    }

    /**
     * When the first message after the checkpoint was appended, or -1 when it cannot be read.
     * Read with a tailer of its own (consumers' tailers are left alone), once per checkpoint move.
     */
    private long oldestAppendedAt() {
        long from = committed.index();
        if (from == oldestCachedFor && oldestCachedAt >= 0) return oldestCachedAt;
        long first = ledger.indexAfter(from, queue.rollCycle());
        if (first == Checkpoint.NONE) return -1;
        long at;
        ExcerptTailer tailer = tailerAt(first);
        if (tailer == null) {
            // Unreadable (damaged, or its file gone): its file's start is the best bound known.
            at = cycleStartMillis(queue.rollCycle().toCycle(first));
        } else {
            try (tailer; DocumentContext dc = tailer.readingDocument()) {
                RecordHeader header = new RecordHeader();
                at = header.read(dc.wire().bytes(), cycleStartMillis(queue.rollCycle().toCycle(first)))
                        ? header.appendedAtMillis : cycleStartMillis(queue.rollCycle().toCycle(first));
            } catch (RuntimeException e) {
                at = cycleStartMillis(queue.rollCycle().toCycle(first));
            }
        }
        oldestCachedFor = from;
        oldestCachedAt = at;
        return at;
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
        RollingResourcesCache names = names();
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
