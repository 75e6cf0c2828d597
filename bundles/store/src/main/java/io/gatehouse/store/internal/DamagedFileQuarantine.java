package io.gatehouse.store.internal;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.RollingResourcesCache;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds queue files Chronicle cannot read through and moves them aside. A damaged (truncated,
 * overwritten) file stops a Chronicle tailer for good, which would hide every later file of the
 * queue, appends included. Run before a queue is opened: reads the queue from its start; when the
 * reading stops while later files exist, the file at fault goes to the quarantine folder and the
 * queue is read again, so the messages in the later files are delivered.
 */
final class DamagedFileQuarantine {

    private static final Logger LOG = LoggerFactory.getLogger(DamagedFileQuarantine.class);
    static final String CYCLE_FILE_SUFFIX = ".cq4";
    private static final int MAX_ROUNDS = 64;
    private static final long CHECK_TIMEOUT_MS = 200;

    private DamagedFileQuarantine() {
    }

    /**
     * Moves the unreadable files of the queue in {@code queueFiles} to {@code quarantine}; returns
     * how many messages after {@code checkpointIndex} were lost with them, as far as they could be
     * counted (those readable before the damage; what followed it in the file is unknown).
     */
    static long check(Path queueFiles, Path quarantine, RollCycle rollCycle, LongSupplier clock, AtomicLong counter,
            long checkpointIndex) throws IOException {
        if (!Files.isDirectory(queueFiles)) return 0;
        long lost = 0;
        for (int round = 0; round < MAX_ROUNDS; round++) {
            Damage damage = findDamaged(queueFiles, rollCycle, clock, checkpointIndex);
            if (damage == null) return lost;
            File damaged = damage.file();
            Path target = moveToQuarantine(damaged.toPath(), quarantine);
            lost += damage.messagesLost();
            counter.incrementAndGet();
            LOG.error("Queue file {} is damaged (Chronicle cannot read through it); moved to {}. Messages still "
                    + "readable in the queue's other files are delivered; what was in this file is not ({} counted)",
                    damaged, target, damage.messagesLost());
        }
        return lost;
    }

    /** Moves a damaged file into the quarantine folder (made if needed); returns where it went. */
    static Path moveToQuarantine(Path file, Path quarantine) throws IOException {
        Files.createDirectories(quarantine);
        Path target = quarantine.resolve(file.getFileName());
        Files.move(file, target, StandardCopyOption.REPLACE_EXISTING);
        return target;
    }

    private record Damage(File file, long messagesLost) {
    }

    private static Damage findDamaged(Path queueFiles, RollCycle rollCycle, LongSupplier clock, long checkpointIndex) {
        try (SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(queueFiles)
                .rollCycle(rollCycle).timeProvider(clock::getAsLong)
                // A zeroed header looks like one being written: Chronicle waits this long for it.
                .timeoutMS(CHECK_TIMEOUT_MS).build()) {
            TreeMap<Integer, File> files = cycleFiles(queue);
            if (files.isEmpty()) return null;
            Integer lastRead = null;
            long unpassedInLastRead = 0;
            boolean failed = false;
            try (ExcerptTailer tailer = queue.createTailer()) {
                tailer.toStart();
                while (true) {
                    try (DocumentContext dc = tailer.readingDocument()) {
                        if (!dc.isPresent()) break;
                        int cycle = queue.rollCycle().toCycle(dc.index());
                        if (lastRead == null || cycle != lastRead) unpassedInLastRead = 0;
                        lastRead = cycle;
                        if (checkpointIndex == Checkpoint.NONE || dc.index() > checkpointIndex) unpassedInLastRead++;
                    }
                }
            } catch (RuntimeException e) {
                failed = true;
                LOG.debug("Reading {} stopped: {}", queueFiles, e.toString());
            }
            Integer stoppedIn = lastRead == null ? files.firstKey() : lastRead;
            Integer next = files.higherKey(stoppedIn);
            if (next == null) {
                // Nothing after it: only a read that failed outright marks the last file as damaged.
                return failed && lastRead == null ? new Damage(files.get(stoppedIn), 0) : null;
            }
            if (lastRead == null) return new Damage(files.get(stoppedIn), 0);
            return canEnter(queue, next) ? new Damage(files.get(stoppedIn), unpassedInLastRead)
                    : new Damage(files.get(next), 0);
        }
    }

    private static boolean canEnter(SingleChronicleQueue queue, int cycle) {
        try (ExcerptTailer tailer = queue.createTailer()) {
            if (!tailer.moveToIndex(queue.rollCycle().toIndex(cycle, 0))) return false;
            try (DocumentContext dc = tailer.readingDocument()) {
                return dc.isPresent();
            }
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static TreeMap<Integer, File> cycleFiles(SingleChronicleQueue queue) {
        TreeMap<Integer, File> cycles = new TreeMap<>();
        File directory = queue.file();
        File[] files = directory.listFiles((dir, name) -> name.endsWith(CYCLE_FILE_SUFFIX));
        if (files == null) return cycles;
        RollingResourcesCache names = new RollingResourcesCache(queue.rollCycle(), queue.epoch(),
                name -> new File(directory, name + CYCLE_FILE_SUFFIX),
                file -> file.getName().substring(0, file.getName().length() - CYCLE_FILE_SUFFIX.length()));
        for (File file : files) {
            String name = file.getName();
            try {
                cycles.put(names.parseCount(name.substring(0, name.length() - CYCLE_FILE_SUFFIX.length())), file);
            } catch (RuntimeException e) {
                LOG.warn("Ignoring {}: not a queue file name", file);
            }
        }
        return cycles;
    }
}
