package io.gatehouse.supervisor.process.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModuleLogTest {

    @TempDir
    Path dir;

    private static void write(ModuleLog log, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        log.write(bytes, 0, bytes.length);
    }

    @Test
    void aLineLongerThanAFileIsSplitButReadBackWhole() throws IOException {
        ModuleLog log = new ModuleLog(dir, 10, 3);
        write(log, "abcdefghijklmnopqrstuvwxy\n");
        log.flush();
        for (int i = 0; i < 3; i++) assertThat(Files.size(log.file(i))).isLessThanOrEqualTo(10);
        assertThat(Files.readString(log.file(2))).isEqualTo("abcdefghij");
        assertThat(log.tail(5)).containsExactly("abcdefghijklmnopqrstuvwxy");
    }

    @Test
    void aLineThatDoesNotFitStartsTheNextFile() throws IOException {
        ModuleLog log = new ModuleLog(dir, 10, 3);
        write(log, "1234567\n");
        write(log, "abcd\n");
        log.flush();
        assertThat(Files.readString(log.file(1))).isEqualTo("1234567\n");
        assertThat(Files.readString(log.file(0))).isEqualTo("abcd\n");
        assertThat(log.tail(2)).containsExactly("1234567", "abcd");
    }

    @Test
    void oneFileKeepsOnlyTheCurrentOne() throws IOException {
        ModuleLog log = new ModuleLog(dir, 10, 1);
        for (int i = 0; i < 5; i++) write(log, "line" + i + "\n");
        log.flush();
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("output.log");
        }
        assertThat(log.tail(5)).containsExactly("line4");
    }

    @Test
    void aPartialLineIsVisibleAndContinuedInPlace() throws IOException {
        ModuleLog log = new ModuleLog(dir, 100, 2);
        write(log, "par");
        assertThat(log.tail(1)).containsExactly("par");
        write(log, "tial\r\nnext\n");
        assertThat(log.tail(5)).containsExactly("partial", "next");
    }

    @Test
    void appendsToWhatAnEarlierRunLeftAndCountsItTowardsTheCap() throws IOException {
        ModuleLog first = new ModuleLog(dir, 8, 2);
        write(first, "one\n");
        first.close();
        write(first, "dropped\n"); // closed: dropped

        ModuleLog second = new ModuleLog(dir, 8, 2);
        write(second, "two\n");
        write(second, "3\n");
        second.flush();
        assertThat(Files.readString(second.file(1))).isEqualTo("one\ntwo\n");
        assertThat(second.tail(10)).containsExactly("one", "two", "3");
    }

    @Test
    void deleteRemovesEveryFile() throws IOException {
        ModuleLog log = new ModuleLog(dir.resolve("m"), 4, 3);
        write(log, "aaaa\nbbbb\ncccc\n");
        log.delete();
        assertThat(dir.resolve("m")).doesNotExist();
        write(log, "after\n");
        assertThat(dir.resolve("m")).doesNotExist();
    }
}
