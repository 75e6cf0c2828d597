package io.gatehouse.store.internal;

import net.openhft.chronicle.bytes.Bytes;

/**
 * The head of a queue record, before the payload. Format 2 (written now):
 * {@code byte 2 | long expiryMillis | long appendedAtMillis}. Format 1 (written by earlier
 * versions, still read): {@code byte 1 | long expiryMillis}, with no append time; the start of
 * the record's cycle file stands in for it (an honest lower bound: the record was appended during
 * that cycle), so an age computed from it is at most one roll cycle too high. One instance per
 * reader, reused from record to record.
 */
final class RecordHeader {

    static final byte FORMAT_1 = 1;
    static final byte FORMAT_2 = 2;
    /** The format of records written now. */
    static final byte CURRENT_FORMAT = FORMAT_2;
    static final int FORMAT_1_SIZE = 1 + 8;
    static final int FORMAT_2_SIZE = 1 + 8 + 8;

    long expiryMillis;
    long appendedAtMillis;

    /**
     * Reads the header of the record at the bytes' read position, leaving it at the payload;
     * false when the record has no header this class knows (it is then unreadable).
     */
    boolean read(Bytes<?> bytes, long cycleStartMillis) {
        long remaining = bytes.readRemaining();
        if (remaining < FORMAT_1_SIZE) return false;
        byte format = bytes.readByte();
        if (format == FORMAT_2 && remaining >= FORMAT_2_SIZE) {
            expiryMillis = bytes.readLong();
            appendedAtMillis = bytes.readLong();
            return true;
        }
        if (format == FORMAT_1) {
            expiryMillis = bytes.readLong();
            appendedAtMillis = cycleStartMillis;
            return true;
        }
        return false;
    }

    /** Writes a current-format header. */
    static void write(Bytes<?> bytes, long expiryMillis, long appendedAtMillis) {
        bytes.writeByte(CURRENT_FORMAT);
        bytes.writeLong(expiryMillis);
        bytes.writeLong(appendedAtMillis);
    }
}
