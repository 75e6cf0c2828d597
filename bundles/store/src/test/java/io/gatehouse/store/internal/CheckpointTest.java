package io.gatehouse.store.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.store.internal.Checkpoint.Position;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
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
            checkpoint.moveTo(new Position(10, 1, 2, 3));
            checkpoint.moveTo(new Position(42, 4, 5, 6));
        }
        try (Checkpoint checkpoint = Checkpoint.open(file)) {
            assertThat(checkpoint.position()).isEqualTo(new Position(42, 4, 5, 6));
            assertThat(checkpoint.position().passed()).isEqualTo(15);
        }
    }

    @Test
    void aTornUpdateLeavesThePreviousPositionInForce() throws Exception {
        Path file = dir.resolve("checkpoint");
        try (Checkpoint checkpoint = Checkpoint.open(file)) {
            checkpoint.moveTo(new Position(10, 10, 0, 0));
            checkpoint.moveTo(new Position(20, 20, 0, 0));
        }
        // Damage the slot the selector points at, as a write stopped half way would.
        try (RandomAccessFile raw = new RandomAccessFile(file.toFile(), "rw")) {
            raw.seek(8);
            int active = Integer.reverseBytes(raw.readInt());
            raw.seek(64 + active * 64 + 8);
            raw.writeLong(0x1234);
        }
        try (Checkpoint checkpoint = Checkpoint.open(file)) {
            assertThat(checkpoint.position()).isEqualTo(new Position(10, 10, 0, 0));
        }
    }

    @Test
    void anUnreadableFileStartsOver() throws Exception {
        Path file = dir.resolve("checkpoint");
        Files.write(file, new byte[] {1, 2, 3});
        try (Checkpoint checkpoint = Checkpoint.open(file)) {
            assertThat(checkpoint.position()).isEqualTo(Position.START);
            checkpoint.moveTo(new Position(5, 1, 0, 0));
        }
        try (Checkpoint checkpoint = Checkpoint.open(file)) {
            assertThat(checkpoint.position()).isEqualTo(new Position(5, 1, 0, 0));
        }
    }
}
