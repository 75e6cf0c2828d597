package io.gatehouse.supervisor.bundle.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code logs()} returns for a bundle module: a bundle has no output of its own, so the
 * runtime keeps its own record of what happened to the module (installed, updated, started,
 * stopped, failed and why), one timestamped line per event. Kept on disk so it survives a
 * restart; bounded to the last {@link #MAX_LINES} lines.
 */
final class LifecycleLog {

    static final int MAX_LINES = 500;
    /** The file is rewritten from the lines kept once appends take it past this size. */
    private static final long MAX_FILE_BYTES = 128 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(LifecycleLog.class);

    private final Path file;
    private final ArrayDeque<String> lines = new ArrayDeque<>();
    private boolean writeFailed;

    LifecycleLog(Path file) {
        this.file = file;
        if (Files.isRegularFile(file)) {
            try {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) keep(line);
            } catch (IOException e) {
                LOG.warn("Cannot read the lifecycle log {}: {}", file, e.toString());
            }
        }
    }

    Path file() {
        return file;
    }

    synchronized void add(String event) {
        // one event, one line, whatever an exception message holds
        String line = Instant.now() + " " + event.replaceAll("[\\r\\n]+", " ");
        keep(line);
        try {
            Files.createDirectories(file.getParent());
            if (Files.isRegularFile(file) && Files.size(file) > MAX_FILE_BYTES) {
                Files.write(file, lines, StandardCharsets.UTF_8);
            } else {
                Files.writeString(file, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
            }
            writeFailed = false;
        } catch (IOException e) {
            if (!writeFailed) LOG.warn("Cannot write the lifecycle log {}; keeping it in memory: {}", file, e.toString());
            writeFailed = true;
        }
    }

    synchronized List<String> tail(int count) {
        List<String> all = new ArrayList<>(lines);
        return List.copyOf(all.subList(Math.max(0, all.size() - count), all.size()));
    }

    synchronized void delete() throws IOException {
        lines.clear();
        Files.deleteIfExists(file);
    }

    private void keep(String line) {
        lines.addLast(line);
        while (lines.size() > MAX_LINES) lines.removeFirst();
    }
}
