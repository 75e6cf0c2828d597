package io.gatehouse.store.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.store.internal.Checkpoint.Position;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {

    @TempDir
    Path dir;

    @Test
    void aNewCheckpointStandsAtTheStartAndALaterOneReadsWhatWasWritten() throws Exception {
        Path file = dir.resolve("checkpoint");
        try (Checkpoint checkpoint = Checkpoint.open(file)) {
            assertThat(checkpoint.position()).isEqualTo(Position.START);
            checkpoint.moveTo(new Position(10, 1, 2, 3, 4, 5));
            checkpoint.moveTo(new Position(42, 4, 5, 6, 7, 8));
        }
        try (Checkpoint checkpoint = Checkpoint.open(file)) {
            assertThat(checkpoint.position()).isEqualTo(new Position(42, 4, 5, 6, 7, 8));
            assertThat(checkpoint.position().passed()).isEqualTo(30);
        }
    }

    @Test
    void aTornUpdateLeavesThePreviousPositionInForce() throws Exception {
        Path file = dir.resolve("checkpoint");
        try (Checkpoint checkpoint = Checkpoint.open(file)) {
            checkpoint.moveTo(new Position(10, 10, 0, 0, 0, 0));
            checkpoint.moveTo(new Position(20, 20, 0, 0, 0, 0));
        }
        // Damage the slot the selector points at, as a write stopped half way would.
        try (RandomAccessFile raw = new RandomAccessFile(file.toFile(), "rw")) {
            raw.seek(8);
            int active = Integer.reverseBytes(raw.readInt());
            raw.seek(64 + active * 64 + 8);
            raw.writeLong(0x1234);
        }
        try (Checkpoint checkpoint = Checkpoint.open(file)) {
            assertThat(checkpoint.position()).isEqualTo(new Position(10, 10, 0, 0, 0, 0));
        }
    }

    @Test
    void aVersionOneFileIsReadWithItsDiscardedFigureAsQuotaDropsAndRewrittenAsVersionTwo() throws Exception {
        Path file = dir.resolve("checkpoint");
        // As the previous release wrote it: slot 1 active, four figures, checksum after them.
        ByteBuffer v1 = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
        v1.putInt(0, 0x47484350).putInt(4, 1).putInt(8, 1);
        writeV1Slot(v1, 0, new long[] {7, 1, 1, 1});
        writeV1Slot(v1, 1, new long[] {99, 10, 2, 3});
        Files.write(file, v1.array());

        try (Checkpoint checkpoint = Checkpoint.open(file)) {
            assertThat(checkpoint.position()).isEqualTo(new Position(99, 10, 2, 3, 0, 0));
        }
        ByteBuffer after = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(after.getInt(4)).as("rewritten as version 2").isEqualTo(Checkpoint.VERSION);
        try (Checkpoint checkpoint = Checkpoint.open(file)) {
            assertThat(checkpoint.position()).isEqualTo(new Position(99, 10, 2, 3, 0, 0));
            checkpoint.moveTo(new Position(120, 11, 2, 3, 4, 5));
        }
        try (Checkpoint checkpoint = Checkpoint.open(file)) {
            assertThat(checkpoint.position()).isEqualTo(new Position(120, 11, 2, 3, 4, 5));
        }
    }

    @Test
    void aVersionOneFileWithATornActiveSlotFallsBackToItsOtherSlot() throws Exception {
        Path file = dir.resolve("checkpoint");
        ByteBuffer v1 = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
        v1.putInt(0, 0x47484350).putInt(4, 1).putInt(8, 1);
        writeV1Slot(v1, 0, new long[] {7, 5, 1, 1});
        writeV1Slot(v1, 1, new long[] {99, 10, 2, 3});
        v1.putLong(64 + 64 + 8, 0x1234); // slot 1 torn
        Files.write(file, v1.array());

        try (Checkpoint checkpoint = Checkpoint.open(file)) {
            assertThat(checkpoint.position()).isEqualTo(new Position(7, 5, 1, 1, 0, 0));
        }
    }

    private static void writeV1Slot(ByteBuffer map, int slot, long[] figures) {
        int base = 64 + slot * 64;
        for (int i = 0; i < 4; i++) map.putLong(base + i * 8, figures[i]);
        CRC32C crc = new CRC32C();
        crc.update(map.slice(base, 32));
        map.putLong(base + 32, crc.getValue() ^ 0x5A5A5A5A00000000L);
    }

    @Test
    void anUnreadableFileStartsOver() throws Exception {
        Path file = dir.resolve("checkpoint");
        Files.write(file, new byte[] {1, 2, 3});
        try (Checkpoint checkpoint = Checkpoint.open(file)) {
            assertThat(checkpoint.position()).isEqualTo(Position.START);
            checkpoint.moveTo(new Position(5, 1, 0, 0, 0, 0));
        }
        try (Checkpoint checkpoint = Checkpoint.open(file)) {
            assertThat(checkpoint.position()).isEqualTo(new Position(5, 1, 0, 0, 0, 0));
        }
    }
}
