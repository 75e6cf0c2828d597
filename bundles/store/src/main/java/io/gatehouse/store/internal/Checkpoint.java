package io.gatehouse.store.internal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The persisted read position of one queue, in a small memory-mapped file. A store to mapped
 * memory is in the page cache the moment it executes, so the position survives {@code kill -9}
 * without a system call. Two slots, each with a checksum, and a selector written last: an update
 * interrupted half way leaves the previous position in force.
 *
 * <p>Version 1 slots held four figures (index, delivered, expired, discarded); version 2 slots hold
 * six. A version-1 file is read and rewritten as version 2 at open; its "discarded" figure, which
 * mixed quota drops and unreadable records, is taken as quota drops (the two cannot be told apart
 * any more, and unreadable records are the rare case).
 */
final class Checkpoint implements Closeable {

    /** Index of a queue that has not passed any message yet (Chronicle indexes are never negative). */
    static final long NONE = Long.MIN_VALUE;

    private static final Logger LOG = LoggerFactory.getLogger(Checkpoint.class);
    private static final int FILE_SIZE = 4096;
    private static final int MAGIC = 0x47484350; // "GHCP"
    static final int VERSION = 2;
    private static final int VERSION_OFFSET = 4;
    private static final int SELECTOR_OFFSET = 8;
    private static final int SLOT_OFFSET = 64;
    private static final int SLOT_SIZE = 64;
    private static final int V1_SLOT_DATA = 32;
    private static final int V2_SLOT_DATA = 48;

    private final FileChannel channel;
    private final MappedByteBuffer map;
    private final CRC32C crc = new CRC32C();
    private Position position;
    private int active;

    /**
     * Where a queue stands: the last index passed and how the messages up to it left. The
     * corrupt figure may also count messages after {@link #index} that were lost with a
     * quarantined file (they are in no file any more, so nothing reads them again).
     */
    record Position(long index, long delivered, long expired, long droppedQuota, long corrupt, long deadLettered) {
        static final Position START = new Position(NONE, 0, 0, 0, 0, 0);

        /** Messages accounted as passed: each was delivered, expired, dropped, lost or dead-lettered. */
        long passed() {
            return delivered + expired + droppedQuota + corrupt + deadLettered;
        }

        Position withCorrupt(long more) {
            return new Position(index, delivered, expired, droppedQuota, corrupt + more, deadLettered);
        }
    }

    private Checkpoint(FileChannel channel, MappedByteBuffer map) {
        this.channel = channel;
        this.map = map;
    }

    static Checkpoint open(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            boolean fresh = channel.size() < FILE_SIZE;
            MappedByteBuffer map = channel.map(FileChannel.MapMode.READ_WRITE, 0, FILE_SIZE);
            map.order(ByteOrder.LITTLE_ENDIAN);
            Checkpoint checkpoint = new Checkpoint(channel, map);
            checkpoint.load(file, fresh);
            return checkpoint;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    Position position() {
        return position;
    }

    void moveTo(Position next) {
        int target = 1 - active;
        writeSlot(target, next);
        map.putInt(SELECTOR_OFFSET, target);
        active = target;
        position = next;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    private void writeSlot(int slot, Position p) {
        int base = SLOT_OFFSET + slot * SLOT_SIZE;
        map.putLong(base, p.index());
        map.putLong(base + 8, p.delivered());
        map.putLong(base + 16, p.expired());
        map.putLong(base + 24, p.droppedQuota());
        map.putLong(base + 32, p.corrupt());
        map.putLong(base + 40, p.deadLettered());
        map.putLong(base + V2_SLOT_DATA, checksum(base, V2_SLOT_DATA));
    }

    private void load(Path file, boolean fresh) {
        if (!fresh && map.getInt(0) == MAGIC) {
            int version = map.getInt(VERSION_OFFSET);
            int selected = map.getInt(SELECTOR_OFFSET) == 1 ? 1 : 0;
            Position p = readSlot(selected, version);
            if (p == null) {
                selected = 1 - selected;
                p = readSlot(selected, version);
            }
            if (p != null) {
                active = selected;
                position = p;
                if (version != VERSION) upgrade(file, version);
                return;
            }
        }
        if (!fresh) {
            LOG.warn("Checkpoint {} is unreadable; the queue is read again from its start", file);
        }
        map.putInt(0, MAGIC);
        map.putInt(VERSION_OFFSET, VERSION);
        active = 1;
        moveTo(Position.START);
    }

    /**
     * Rewrites an older file in this version. The new slot is written before the version field
     * and the selector: cut short anywhere, the file still reads as one position or the other.
     */
    private void upgrade(Path file, int from) {
        int target = 1 - active;
        writeSlot(target, position);
        map.putInt(VERSION_OFFSET, VERSION);
        map.putInt(SELECTOR_OFFSET, target);
        active = target;
        moveTo(position); // the other slot too, so a later torn update falls back to a version-2 slot
        LOG.info("Checkpoint {} upgraded from version {} to {}", file, from, VERSION);
    }

    private Position readSlot(int slot, int version) {
        int base = SLOT_OFFSET + slot * SLOT_SIZE;
        if (version == 1) {
            if (map.getLong(base + V1_SLOT_DATA) != checksum(base, V1_SLOT_DATA)) return null;
            return new Position(map.getLong(base), map.getLong(base + 8), map.getLong(base + 16),
                    map.getLong(base + 24), 0, 0);
        }
        if (version != VERSION) return null;
        if (map.getLong(base + V2_SLOT_DATA) != checksum(base, V2_SLOT_DATA)) return null;
        return new Position(map.getLong(base), map.getLong(base + 8), map.getLong(base + 16), map.getLong(base + 24),
                map.getLong(base + 32), map.getLong(base + 40));
    }

    private long checksum(int base, int length) {
        crc.reset();
        crc.update(map.slice(base, length));
        // Offset so that an all-zero slot (a fresh or truncated file) never checks out.
        return crc.getValue() ^ 0x5A5A5A5A00000000L;
    }
}
