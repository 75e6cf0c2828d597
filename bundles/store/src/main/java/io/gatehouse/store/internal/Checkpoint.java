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
 */
final class Checkpoint implements Closeable {

    /** Index of a queue that has not passed any message yet (Chronicle indexes are never negative). */
    static final long NONE = Long.MIN_VALUE;

    private static final Logger LOG = LoggerFactory.getLogger(Checkpoint.class);
    private static final int FILE_SIZE = 4096;
    private static final int MAGIC = 0x47484350; // "GHCP"
    private static final int VERSION = 1;
    private static final int SELECTOR_OFFSET = 8;
    private static final int SLOT_OFFSET = 64;
    private static final int SLOT_SIZE = 64;
    private static final int SLOT_DATA = 32;

    private final FileChannel channel;
    private final MappedByteBuffer map;
    private final CRC32C crc = new CRC32C();
    private Position position;
    private int active;

    /** Where a queue stands: the last index passed and how the messages up to it left. */
    record Position(long index, long delivered, long expired, long discarded) {
        static final Position START = new Position(NONE, 0, 0, 0);

        /** Messages at or before {@link #index}: each was delivered, expired or discarded. */
        long passed() {
            return delivered + expired + discarded;
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
        int base = SLOT_OFFSET + target * SLOT_SIZE;
        map.putLong(base, next.index());
        map.putLong(base + 8, next.delivered());
        map.putLong(base + 16, next.expired());
        map.putLong(base + 24, next.discarded());
        map.putLong(base + SLOT_DATA, checksum(base));
        map.putInt(SELECTOR_OFFSET, target);
        active = target;
        position = next;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    private void load(Path file, boolean fresh) {
        if (!fresh && map.getInt(0) == MAGIC) {
            int selected = map.getInt(SELECTOR_OFFSET) == 1 ? 1 : 0;
            Position p = readSlot(selected);
            if (p == null) {
                selected = 1 - selected;
                p = readSlot(selected);
            }
            if (p != null) {
                active = selected;
                position = p;
                return;
            }
        }
        if (!fresh) {
            LOG.warn("Checkpoint {} is unreadable; the queue is read again from its start", file);
        }
        map.putInt(0, MAGIC);
        map.putInt(4, VERSION);
        active = 1;
        moveTo(Position.START);
    }

    private Position readSlot(int slot) {
        int base = SLOT_OFFSET + slot * SLOT_SIZE;
        if (map.getLong(base + SLOT_DATA) != checksum(base)) return null;
        return new Position(map.getLong(base), map.getLong(base + 8), map.getLong(base + 16), map.getLong(base + 24));
    }

    private long checksum(int base) {
        crc.reset();
        crc.update(map.slice(base, SLOT_DATA));
        // Offset so that an all-zero slot (a fresh or truncated file) never checks out.
        return crc.getValue() ^ 0x5A5A5A5A00000000L;
    }
}
