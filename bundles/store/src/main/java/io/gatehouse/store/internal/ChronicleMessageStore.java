package io.gatehouse.store.internal;

import io.gatehouse.api.message.Message;
import io.gatehouse.api.route.RouteTarget;
import io.gatehouse.api.store.DeadLetter;
import io.gatehouse.api.store.MessageStore;
import io.gatehouse.api.store.QueueConsumer;
import io.gatehouse.api.store.QueueStatus;
import io.gatehouse.api.store.StoreException;
import io.gatehouse.api.store.StoredMessage;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The message store on Chronicle Queue: one queue per endpoint and priority, each in its own
 * directory under the store directory, each with its own checkpoint, and a dead-letter queue per
 * endpoint that has dead letters, under {@code deadletter/}.
 */
// Public only for the JMH benchmarks in benchmarks/jmh; the package is private to the bundle in OSGi.
public final class ChronicleMessageStore implements MessageStore, Closeable {

    static {
        ChronicleProperties.applyDefaults();
    }

    private static final Logger LOG = LoggerFactory.getLogger(ChronicleMessageStore.class);
    /** Chronicle's 4-byte header, the record's own header (format, expiry, append time), a share of its index entry. */
    static final int RECORD_OVERHEAD_BYTES = 4 + RecordHeader.FORMAT_2_SIZE + 8;

    private final Path directory;
    private final RollCycle rollCycle;
    private final boolean syncOnAppend;
    private final LongSupplier clock;
    private final DirectoryLock lock;
    private final StoreQuota quota;
    private final Object roomLock = new Object();
    private final AtomicLong quarantinedFiles = new AtomicLong();
    private volatile boolean refusing;
    /** Initial and largest encoding buffer kept per appending thread; a larger message gets its own. */
    private static final int SCRATCH_BYTES = 4096;
    private static final int MAX_SCRATCH_BYTES = 64 * 1024;

    private final ConcurrentHashMap<QueueKey, EndpointQueue> queues = new ConcurrentHashMap<>();
    // Holds plain byte arrays only: a thread outliving this bundle keeps no class of it alive.
    private final ThreadLocal<byte[]> scratch = new ThreadLocal<>();
    private final ConcurrentHashMap<String, DeadLetterQueue> deadLetterQueues = new ConcurrentHashMap<>();
    /** Guards creating dead-letter queues; taken under a consumer's lock, so it never takes one itself. */
    private final Object deadLetterRegistry = new Object();
    private final Object registry = new Object();
    private final List<StoreConsumer> consumers = new ArrayList<>(); // guarded by registry
    private volatile boolean closed;

    private ChronicleMessageStore(StoreSettings settings, RollCycle rollCycle, DirectoryLock lock) {
        this.directory = settings.directory();
        this.rollCycle = rollCycle;
        this.syncOnAppend = settings.syncOnAppend();
        this.clock = settings.clock();
        this.lock = lock;
        this.quota = new StoreQuota(settings.maxSizeBytes(), settings.quotaPolicy());
    }

    /** Opens the store and every queue found in its directory. */
    public static ChronicleMessageStore open(StoreSettings settings) throws IOException {
        Path directory = settings.directory().toAbsolutePath();
        Files.createDirectories(directory);
        DirectoryLock lock = DirectoryLock.acquire(directory);
        try {
            ChronicleMessageStore store = withBundleContextLoader(() -> {
                ChronicleMessageStore s = new ChronicleMessageStore(settings, rollCycle(settings.rollCycle()), lock);
                s.openExistingQueues();
                return s;
            });
            LOG.info("Message store open in {} with {} queues and {} dead-letter queues holding {} bytes, quota {} ({}){}",
                    directory, store.queues.size(), store.deadLetterQueues.size(), store.quota.usedBytes(),
                    settings.maxSizeBytes() == StoreQuota.UNLIMITED ? "none" : settings.maxSizeBytes() + " bytes",
                    settings.quotaPolicy().configName(),
                    settings.syncOnAppend() ? ", forcing every append to disk" : "");
            return store;
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /**
     * Validated before anything is written; the room is checked for all targets together, then the
     * record is written to each queue. Costs no lock but the queue's and no allocation beyond the
     * message's strings: the encoding goes to a buffer kept per thread, a queue known already needs
     * no validation, and the common single target takes no detour through collections.
     */
    @Override
    public void append(Message message, List<RouteTarget> targets) throws StoreException {
        if (message == null) throw new StoreException("no message to store");
        if (targets == null || targets.isEmpty()) return;
        if (targets.size() == 1) {
            appendToOne(message, targets.get(0));
            return;
        }
        int n = targets.size();
        QueueKey[] keys = new QueueKey[n];
        EndpointQueue[] known = new EndpointQueue[n];
        int distinct = 0;
        for (RouteTarget target : targets) {
            EndpointQueue queue = knownQueue(target);
            QueueKey key = queue != null ? queue.key() : new QueueKey(target.endpointId(), target.priority());
            if (indexOf(keys, distinct, key) >= 0) continue;
            keys[distinct] = key;
            known[distinct++] = queue;
        }
        MessageCodec.Writer payload = encode(message);
        ensureRoom((long) distinct * (payload.position + RECORD_OVERHEAD_BYTES));
        long now = clock.getAsLong();
        int count = 0;
        try {
            for (RouteTarget target : targets) {
                int slot = indexOf(keys, distinct, new QueueKey(target.endpointId(), target.priority()));
                if (slot < count) continue; // written already (the same queue named twice)
                EndpointQueue queue = known[slot] != null ? known[slot] : queueFor(keys[slot]);
                known[slot] = queue;
                write(queue, payload, target, now);
                count = slot + 1;
            }
        } finally {
            for (int i = 0; i < count; i++) known[i].signalAppended();
        }
    }

    private void appendToOne(Message message, RouteTarget target) throws StoreException {
        EndpointQueue queue = knownQueue(target);
        MessageCodec.Writer payload = encode(message);
        ensureRoom(payload.position + RECORD_OVERHEAD_BYTES);
        if (queue == null) queue = queueFor(new QueueKey(target.endpointId(), target.priority()));
        write(queue, payload, target, clock.getAsLong());
        queue.signalAppended();
    }

    /** The open queue of a target, or null when it has none yet (then its endpoint id is checked). */
    private EndpointQueue knownQueue(RouteTarget target) throws StoreException {
        if (target != null && target.endpointId() != null) {
            EndpointQueue queue = queues.get(new QueueKey(target.endpointId(), target.priority()));
            if (queue != null) return queue;
        }
        String reason = target == null ? "target is null" : QueueDirectoryNames.invalidReason(target.endpointId());
        if (reason != null) {
            throw new StoreException("message not stored: " + reason
                    + (target == null ? "" : " (endpoint '" + target.endpointId() + "')"));
        }
        return null;
    }

    private MessageCodec.Writer encode(Message message) {
        byte[] buffer = scratch.get();
        if (buffer == null) buffer = new byte[SCRATCH_BYTES];
        MessageCodec.Writer payload = MessageCodec.encode(message, buffer);
        if (payload.buffer != buffer && payload.buffer.length <= MAX_SCRATCH_BYTES) buffer = payload.buffer;
        scratch.set(buffer);
        return payload;
    }

    private static void write(EndpointQueue queue, MessageCodec.Writer payload, RouteTarget target, long now)
            throws StoreException {
        try {
            queue.append(payload.buffer, payload.position, expiry(now, target.timeToLiveSecs()), now);
        } catch (IOException e) {
            throw new StoreException("message not stored in queue " + target.endpointId() + " (priority "
                    + target.priority() + "): " + e.getMessage(), e);
        }
    }

    private static int indexOf(QueueKey[] keys, int count, QueueKey key) {
        for (int i = 0; i < count; i++) {
            if (keys[i].equals(key)) return i;
        }
        return -1;
    }

    /** Damaged queue files moved to the quarantine folder since the store opened. */
    long quarantinedFiles() {
        return quarantinedFiles.get();
    }

    /** Bytes the queues hold as accounted, and the quota's counters; for tests and diagnostics. */
    StoreQuota quota() {
        return quota;
    }

    /**
     * Checked before anything is written, so a refused message is in no queue. Files wholly passed
     * are reclaimed first; then either the append is refused or the oldest files are dropped.
     */
    private void ensureRoom(long needed) throws StoreException {
        if (quota.admits(needed)) {
            if (refusing) {
                refusing = false;
                LOG.info("Message store has room again ({} of {} bytes used); appends are accepted",
                        quota.usedBytes(), quota.maxBytes());
            }
            return;
        }
        synchronized (roomLock) {
            reclaimPassedCycles(needed);
            if (quota.policy() == QuotaPolicy.DROP_OLDEST) {
                while (!quota.admits(needed) && dropOldestFile()) {
                    // each round frees one file
                }
            }
            if (quota.admits(needed)) return;
        }
        quota.countRefused();
        String reason = "message not stored: store quota reached (" + quota.usedBytes() + " of " + quota.maxBytes()
                + " bytes used, policy " + quota.policy().configName() + ")"
                + (quota.policy() == QuotaPolicy.DROP_OLDEST
                        ? "; nothing older can be dropped, the remaining data is in queue files still being written"
                        : "; space is freed as the queues are delivered");
        if (!refusing) {
            refusing = true;
            LOG.warn("Message store is full, refusing appends: {}", reason);
        }
        throw new StoreException(reason);
    }

    /** Deletes files wholly passed, queue by queue, until {@code needed} more bytes fit. */
    private void reclaimPassedCycles(long needed) {
        for (EndpointQueue queue : queues.values()) {
            if (quota.admits(needed)) return;
            queue.reclaimPassedCycles();
        }
        for (DeadLetterQueue letters : deadLetterQueues.values()) {
            if (quota.admits(needed)) return;
            letters.queue().reclaimPassedCycles();
        }
    }

    /**
     * The room check for dead letters and requeued messages: reclaims passed files but never drops
     * anything, whatever the policy. It runs under a consumer's lock (or a dead-letter queue's),
     * and dropping takes consumers' locks.
     */
    private void ensureRoomWithoutDropping(String what, long needed) throws StoreException {
        if (quota.admits(needed)) return;
        reclaimPassedCycles(needed);
        if (quota.admits(needed)) return;
        quota.countRefused();
        throw new StoreException(what + ": store quota reached (" + quota.usedBytes() + " of " + quota.maxBytes()
                + " bytes used); space is freed as the queues are delivered or dead letters purged");
    }

    /** Drops the oldest file no longer written, across all queues; false when there is none. */
    private boolean dropOldestFile() {
        EndpointQueue victim = null;
        long oldest = Long.MAX_VALUE;
        for (EndpointQueue queue : queues.values()) {
            long start = queue.oldestClosedCycleStart();
            // Same age: the less urgent priority (the higher number) goes first.
            if (start < oldest || (start == oldest && start != Long.MAX_VALUE
                    && queue.key().priority() > victim.key().priority())) {
                victim = queue;
                oldest = start;
            }
        }
        if (victim == null) return false;
        long before = victim.accountedBytes();
        long dropped = victim.dropOldestClosedCycle();
        if (dropped < 0) return false;
        if (victim.accountedBytes() >= before) {
            LOG.error("Could not free the oldest file of queue {} (priority {}) to make room", victim.key().endpointId(),
                    victim.key().priority());
            return false;
        }
        quota.countDropped(dropped);
        LOG.warn("Message store quota reached ({} bytes): dropped the oldest file of queue {} (priority {}), "
                + "{} undelivered messages (reason quota, {} since start)", quota.maxBytes(),
                victim.key().endpointId(), victim.key().priority(), dropped, quota.droppedMessages());
        return true;
    }

    @Override
    public QueueConsumer consume(String endpointIdOrPrefix) {
        EndpointSelector selector = EndpointSelector.of(endpointIdOrPrefix);
        synchronized (registry) {
            if (closed) throw new IllegalStateException("message store is closed");
            for (StoreConsumer displaced : List.copyOf(consumers)) {
                if (displaced.selector().overlaps(selector)) {
                    LOG.info("Consumer of {} replaces the one of {}", selector.value(), displaced.selector().value());
                    displaced.close();
                }
            }
            StoreConsumer consumer = new StoreConsumer(selector, clock, this::storeDeadLetter, this::forget);
            queues.values().stream()
                    .filter(q -> selector.matches(q.key().endpointId()))
                    .sorted((a, b) -> a.key().compareTo(b.key()))
                    .forEach(consumer::add);
            consumers.add(consumer);
            return consumer;
        }
    }

    @Override
    public List<QueueStatus> queues() {
        long now = clock.getAsLong();
        return queues.values().stream()
                .sorted((a, b) -> a.key().compareTo(b.key()))
                .map(q -> q.status(now, deadLettersHeld(q.key())))
                .toList();
    }

    private long deadLettersHeld(QueueKey key) {
        DeadLetterQueue letters = deadLetterQueues.get(key.endpointId());
        return letters == null ? 0 : letters.held(key.priority());
    }

    /** The consumers' dead-letter sink: stores durably, or throws and stores nothing. */
    private void storeDeadLetter(StoredMessage message, String reason) throws StoreException {
        byte[] payload = DeadLetterQueue.encode(message.priority(), reason, message.message());
        boolean created = !deadLetterQueues.containsKey(message.endpointId());
        // Checked before a new dead-letter queue is made: a refused dead letter leaves nothing behind.
        ensureRoomWithoutDropping("message not dead-lettered",
                payload.length + RECORD_OVERHEAD_BYTES + (created ? EndpointQueue.QUEUE_OVERHEAD_BYTES : 0));
        DeadLetterQueue letters = deadLetterQueueFor(message.endpointId());
        letters.add(message.priority(), payload, clock.getAsLong());
        LOG.warn("Message #{} of {} (priority {}) dead-lettered: {}", message.index(), message.endpointId(),
                message.priority(), reason);
    }

    @Override
    public List<DeadLetter> deadLetters(String endpointId, long afterSequence, int max) {
        if (max < 0) throw new IllegalArgumentException("max must not be negative: " + max);
        DeadLetterQueue letters = endpointId == null || closed ? null : deadLetterQueues.get(endpointId);
        return letters == null ? List.of() : letters.list(afterSequence, max);
    }

    @Override
    public long purgeDeadLetters(String endpointId) throws StoreException {
        DeadLetterQueue letters = endpointId == null ? null : deadLetterQueues.get(endpointId);
        if (letters == null) return 0;
        if (closed) throw new StoreException("message store is closed");
        long purged = letters.purge();
        LOG.info("Purged {} dead letters of {}", purged, endpointId);
        return purged;
    }

    @Override
    public long requeueDeadLetters(String endpointId) throws StoreException {
        DeadLetterQueue letters = endpointId == null ? null : deadLetterQueues.get(endpointId);
        if (letters == null) return 0;
        if (closed) throw new StoreException("message store is closed");
        // Created before the dead-letter queue's lock is taken: creating a queue takes consumers' locks.
        for (int priority : letters.priorities()) queueFor(new QueueKey(endpointId, priority));
        Set<EndpointQueue> touched = new HashSet<>();
        try {
            long requeued = letters.requeue(priority -> queues.get(new QueueKey(endpointId, priority)),
                    bytes -> ensureRoomWithoutDropping("dead letter not requeued", bytes), clock.getAsLong(), touched);
            LOG.info("Requeued {} dead letters of {}", requeued, endpointId);
            return requeued;
        } finally {
            touched.forEach(EndpointQueue::signalAppended);
        }
    }

    private DeadLetterQueue deadLetterQueueFor(String endpointId) throws StoreException {
        DeadLetterQueue letters = deadLetterQueues.get(endpointId);
        if (letters != null) return letters;
        synchronized (deadLetterRegistry) {
            if (closed) throw new StoreException("message store is closed");
            letters = deadLetterQueues.get(endpointId);
            if (letters != null) return letters;
            try {
                DeadLetterQueue created = withBundleContextLoader(() -> openDeadLetterQueue(endpointId));
                deadLetterQueues.put(endpointId, created);
                return created;
            } catch (IOException | RuntimeException e) {
                throw new StoreException("message not dead-lettered: cannot create the dead-letter queue of "
                        + endpointId + ": " + e.getMessage(), e);
            }
        }
    }

    @Override
    public void close() {
        List<StoreConsumer> open;
        synchronized (registry) {
            if (closed) return;
            closed = true;
            open = List.copyOf(consumers);
        }
        open.forEach(StoreConsumer::close);
        withBundleContextLoader(() -> {
            for (EndpointQueue queue : queues.values()) {
                try {
                    queue.close();
                } catch (IOException | RuntimeException e) {
                    LOG.warn("Closing queue {} failed: {}", queue.key(), e.toString());
                }
            }
            synchronized (deadLetterRegistry) {
                for (DeadLetterQueue letters : deadLetterQueues.values()) {
                    try {
                        letters.close();
                    } catch (IOException | RuntimeException e) {
                        LOG.warn("Closing {} failed: {}", letters.queue().label(), e.toString());
                    }
                }
            }
            return null;
        });
        try {
            lock.close();
        } catch (IOException e) {
            LOG.warn("Releasing the lock on {} failed: {}", directory, e.toString());
        }
        LOG.info("Message store in {} closed", directory);
    }

    private EndpointQueue queueFor(QueueKey key) throws StoreException {
        EndpointQueue queue = queues.get(key);
        if (queue != null) return queue;
        synchronized (registry) {
            if (closed) throw new StoreException("message store is closed");
            queue = queues.get(key);
            if (queue != null) return queue;
            try {
                EndpointQueue created = withBundleContextLoader(() -> openQueue(key));
                queues.put(key, created);
                for (StoreConsumer consumer : consumers) {
                    if (consumer.selector().matches(key.endpointId())) consumer.add(created);
                }
                return created;
            } catch (IOException | RuntimeException e) {
                throw new StoreException("cannot create queue " + key.endpointId() + " (priority " + key.priority()
                        + "): " + e.getMessage(), e);
            }
        }
    }

    private void forget(StoreConsumer consumer) {
        synchronized (registry) {
            consumers.remove(consumer);
        }
    }

    private void openExistingQueues() throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory, Files::isDirectory)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.equals(EndpointQueue.QUARANTINE_DIRECTORY) || name.equals(DeadLetterQueue.DIRECTORY)) continue;
                Optional<QueueKey> key = QueueDirectoryNames.parse(name);
                if (key.isEmpty()) {
                    LOG.warn("Ignoring {}: not a queue directory name", entry);
                    continue;
                }
                try {
                    queues.put(key.get(), openQueue(key.get()));
                } catch (IOException | RuntimeException e) {
                    // Its endpoint's appends fail with this reason; the other queues keep working.
                    LOG.error("Cannot reopen queue {} (priority {}) in {}: {}", key.get().endpointId(),
                            key.get().priority(), entry, e.toString());
                }
            }
        }
        Path deadLetters = directory.resolve(DeadLetterQueue.DIRECTORY);
        if (!Files.isDirectory(deadLetters)) return;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(deadLetters, Files::isDirectory)) {
            for (Path entry : entries) {
                Optional<String> endpointId = QueueDirectoryNames.parseDeadLetter(entry.getFileName().toString());
                if (endpointId.isEmpty()) {
                    LOG.warn("Ignoring {}: not a dead-letter queue directory name", entry);
                    continue;
                }
                try {
                    deadLetterQueues.put(endpointId.get(), openDeadLetterQueue(endpointId.get()));
                } catch (IOException | RuntimeException e) {
                    // Dead-lettering to this endpoint fails with this reason; everything else keeps working.
                    LOG.error("Cannot reopen the dead-letter queue of {} in {}: {}", endpointId.get(), entry,
                            e.toString());
                }
            }
        }
    }

    private EndpointQueue openQueue(QueueKey key) throws IOException {
        String name = QueueDirectoryNames.directoryName(key);
        return EndpointQueue.open(key, "queue " + key.endpointId() + " (priority " + key.priority() + ")",
                directory.resolve(name), directory.resolve(EndpointQueue.QUARANTINE_DIRECTORY).resolve(name),
                rollCycle, syncOnAppend, clock, quota, quarantinedFiles);
    }

    /** Quarantined files of dead-letter queues go to {@code quarantine/deadletter/<name>}. */
    private DeadLetterQueue openDeadLetterQueue(String endpointId) throws IOException {
        String name = QueueDirectoryNames.deadLetterDirectoryName(endpointId);
        return DeadLetterQueue.open(endpointId, directory.resolve(DeadLetterQueue.DIRECTORY).resolve(name),
                directory.resolve(EndpointQueue.QUARANTINE_DIRECTORY).resolve(DeadLetterQueue.DIRECTORY).resolve(name),
                rollCycle, syncOnAppend, clock, quota, quarantinedFiles);
    }

    static long expiry(long enqueuedMillis, long timeToLiveSecs) {
        if (timeToLiveSecs < 0) return Long.MAX_VALUE;
        if (timeToLiveSecs > (Long.MAX_VALUE - enqueuedMillis) / 1000) return Long.MAX_VALUE;
        return enqueuedMillis + timeToLiveSecs * 1000;
    }

    /**
     * A {@code RollCycles} name, or one of Chronicle's test cycles ({@code TEST_SECONDLY}, …): one
     * file per second lets system tests and demonstrations see files reclaimed without waiting.
     */
    static RollCycle rollCycle(String name) {
        for (Class<? extends Enum<?>> names : List.<Class<? extends Enum<?>>>of(RollCycles.class, TestRollCycles.class)) {
            for (Enum<?> cycle : names.getEnumConstants()) {
                if (cycle.name().equals(name)) return (RollCycle) cycle;
            }
        }
        LOG.warn("Unknown rollCycle '{}'; new queues use {}", name, StoreSettings.DEFAULT_ROLL_CYCLE);
        return RollCycles.valueOf(StoreSettings.DEFAULT_ROLL_CYCLE);
    }

    /**
     * Chronicle finds some of its parts through the thread context class loader; inside OSGi that
     * must be this bundle's loader, whichever thread opens or closes a queue.
     */
    private static <T, E extends Exception> T withBundleContextLoader(IoSupplier<T, E> action) throws E {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(ChronicleMessageStore.class.getClassLoader());
        try {
            return action.get();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    @FunctionalInterface
    private interface IoSupplier<T, E extends Exception> {
        T get() throws E;
    }
}
