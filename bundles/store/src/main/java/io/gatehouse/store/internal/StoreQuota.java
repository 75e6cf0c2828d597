package io.gatehouse.store.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The store's size limit and the bytes its queues hold. Queues report growth as they append and
 * shrinkage as they delete files, so checking an append against the limit is one read of a
 * counter. The limit is soft by at most the appends racing each other past the check.
 */
final class StoreQuota {

    static final long UNLIMITED = Long.MAX_VALUE;
    /** Default share of the usable space of the store's file system, and its bounds. */
    static final int DEFAULT_PERCENT_OF_USABLE = 25;
    static final long DEFAULT_FLOOR = 64L << 20;
    static final long DEFAULT_CAP = 16L << 30;

    private final long maxBytes;
    private final QuotaPolicy policy;
    private final AtomicLong used = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();

    StoreQuota(long maxBytes, QuotaPolicy policy) {
        this.maxBytes = maxBytes;
        this.policy = policy;
    }

    /** A quarter of the space usable at {@code directory}, at least 64 MiB and at most 16 GiB. */
    static long defaultMaxBytes(Path directory) throws IOException {
        long usable = Files.getFileStore(directory).getUsableSpace();
        long share = usable / 100 * DEFAULT_PERCENT_OF_USABLE;
        return Math.min(DEFAULT_CAP, Math.max(DEFAULT_FLOOR, share));
    }

    long maxBytes() {
        return maxBytes;
    }

    QuotaPolicy policy() {
        return policy;
    }

    long usedBytes() {
        return used.get();
    }

    boolean admits(long moreBytes) {
        return used.get() + moreBytes <= maxBytes;
    }

    void grew(long bytes) {
        if (bytes != 0) used.addAndGet(bytes);
    }

    void shrank(long bytes) {
        if (bytes != 0) used.addAndGet(-bytes);
    }

    void countDropped(long messages) {
        dropped.addAndGet(messages);
    }

    void countRefused() {
        refused.incrementAndGet();
    }

    /** Messages passed without delivery to make room, since the store opened. */
    long droppedMessages() {
        return dropped.get();
    }

    /** Appends refused for want of room, since the store opened. */
    long refusedAppends() {
        return refused.get();
    }
}
