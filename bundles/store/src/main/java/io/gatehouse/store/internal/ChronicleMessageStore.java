package io.gatehouse.store.internal;

import io.gatehouse.api.message.Message;
import io.gatehouse.api.route.RouteTarget;
import io.gatehouse.api.store.MessageStore;
import io.gatehouse.api.store.QueueConsumer;
import io.gatehouse.api.store.QueueStatus;
import io.gatehouse.api.store.StoreException;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The message store on Chronicle Queue: one queue per endpoint and priority, each in its own
 * directory under the store directory, each with its own checkpoint.
 */
final class ChronicleMessageStore implements MessageStore, Closeable {

    static {
        ChronicleProperties.applyDefaults();
    }

    private static final Logger LOG = LoggerFactory.getLogger(ChronicleMessageStore.class);
    /** Chronicle's 4-byte header, the record's format byte and expiry, and a share of its index entry. */
    static final int RECORD_OVERHEAD_BYTES = 4 + 9 + 8;

    private final Path directory;
    private final RollCycle rollCycle;
    private final boolean syncOnAppend;
    private final LongSupplier clock;
    private final DirectoryLock lock;
    private final StoreQuota quota;
    private final Object roomLock = new Object();
    private final AtomicLong quarantinedFiles = new AtomicLong();
    private volatile boolean refusing;
    private final ConcurrentHashMap<QueueKey, EndpointQueue> queues = new ConcurrentHashMap<>();
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
    static ChronicleMessageStore open(StoreSettings settings) throws IOException {
        Path directory = settings.directory().toAbsolutePath();
        Files.createDirectories(directory);
        DirectoryLock lock = DirectoryLock.acquire(directory);
        try {
            ChronicleMessageStore store = withBundleContextLoader(() -> {
                ChronicleMessageStore s = new ChronicleMessageStore(settings, rollCycle(settings.rollCycle()), lock);
                s.openExistingQueues();
                return s;
            });
            LOG.info("Message store open in {} with {} queues holding {} bytes, quota {} ({}){}", directory,
                    store.queues.size(), store.quota.usedBytes(),
                    settings.maxSizeBytes() == StoreQuota.UNLIMITED ? "none" : settings.maxSizeBytes() + " bytes",
                    settings.quotaPolicy().configName(),
                    settings.syncOnAppend() ? ", forcing every append to disk" : "");
            return store;
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    @Override
    public void append(Message message, List<RouteTarget> targets) throws StoreException {
        if (message == null) throw new StoreException("no message to store");
        if (targets == null || targets.isEmpty()) return;
        for (RouteTarget target : targets) {
            String reason = target == null ? "target is null" : QueueDirectoryNames.invalidReason(target.endpointId());
            if (reason != null) {
                throw new StoreException("message not stored: " + reason
                        + (target == null ? "" : " (endpoint '" + target.endpointId() + "')"));
            }
        }
        byte[] payload = MessageCodec.encode(message);
        long distinct = targets.stream().map(t -> new QueueKey(t.endpointId(), t.priority())).distinct().count();
        ensureRoom(distinct * (payload.length + RECORD_OVERHEAD_BYTES));
        long now = clock.getAsLong();
        EndpointQueue[] written = new EndpointQueue[targets.size()];
        int count = 0;
        try {
            for (RouteTarget target : targets) {
                EndpointQueue queue = queueFor(new QueueKey(target.endpointId(), target.priority()));
                if (contains(written, count, queue)) continue;
                try {
                    queue.append(payload, expiry(now, target.timeToLiveSecs()));
                } catch (IOException e) {
                    throw new StoreException("message not stored in queue " + target.endpointId() + " (priority "
                            + target.priority() + "): " + e.getMessage(), e);
                }
                written[count++] = queue;
            }
        } finally {
            for (int i = 0; i < count; i++) written[i].signalAppended();
        }
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
            for (EndpointQueue queue : queues.values()) {
                if (quota.admits(needed)) break;
                queue.reclaimPassedCycles();
            }
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
            StoreConsumer consumer = new StoreConsumer(selector, clock, this::forget);
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
        return queues.values().stream()
                .sorted((a, b) -> a.key().compareTo(b.key()))
                .map(EndpointQueue::status)
                .toList();
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
                if (name.equals(EndpointQueue.QUARANTINE_DIRECTORY)) continue;
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
    }

    private EndpointQueue openQueue(QueueKey key) throws IOException {
        return EndpointQueue.open(key, directory.resolve(QueueDirectoryNames.directoryName(key)), rollCycle,
                syncOnAppend, clock, quota, quarantinedFiles);
    }

    private static boolean contains(EndpointQueue[] written, int count, EndpointQueue queue) {
        for (int i = 0; i < count; i++) {
            if (written[i] == queue) return true;
        }
        return false;
    }

    static long expiry(long enqueuedMillis, long timeToLiveSecs) {
        if (timeToLiveSecs < 0) return Long.MAX_VALUE;
        if (timeToLiveSecs > (Long.MAX_VALUE - enqueuedMillis) / 1000) return Long.MAX_VALUE;
        return enqueuedMillis + timeToLiveSecs * 1000;
    }

    private static RollCycle rollCycle(String name) {
        try {
            return RollCycles.valueOf(name);
        } catch (IllegalArgumentException e) {
            LOG.warn("Unknown rollCycle '{}'; new queues use {}", name, StoreSettings.DEFAULT_ROLL_CYCLE);
            return RollCycles.valueOf(StoreSettings.DEFAULT_ROLL_CYCLE);
        }
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
