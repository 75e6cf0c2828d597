package io.gatehouse.supervisor.process.internal;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.stream.Stream;

/**
 * A module's output in {@code output.log}, rotated to {@code output.log.1} … {@code output.log.(files-1)}
 * so that it never takes more than {@code files × maxBytes} on disk. A line starts a new file
 * rather than straddle two, unless it alone is longer than what a file holds. Writes and reads
 * share one lock, so a reader never sees a rotation half done.
 */
final class ModuleLog {

    static final String CURRENT = "output.log";

    private final Path directory;
    private final long maxBytes;
    private final int files;
    private OutputStream out;
    private long size;
    private boolean atLineStart = true;
    private boolean closed;

    ModuleLog(Path directory, long maxBytes, int files) {
        if (maxBytes < 1) throw new IllegalArgumentException("maxBytes must be at least 1");
        if (files < 1) throw new IllegalArgumentException("files must be at least 1");
        this.directory = directory;
        this.maxBytes = maxBytes;
        this.files = files;
    }

    Path directory() {
        return directory;
    }

    /** Appends what the module wrote. After {@link #close()} output is dropped. */
    synchronized void write(byte[] bytes, int offset, int length) throws IOException {
        if (closed) return;
        if (out == null) open();
        int end = offset + length;
        while (offset < end) {
            int segment = lengthThroughNewline(bytes, offset, end);
            if (size > 0 && size + segment > maxBytes && atLineStart) rotate();
            long room = maxBytes - size;
            if (room <= 0) {
                rotate();
                room = maxBytes;
            }
            int n = (int) Math.min(segment, room);
            out.write(bytes, offset, n);
            size += n;
            atLineStart = bytes[offset + n - 1] == '\n';
            offset += n;
        }
    }

    synchronized void flush() throws IOException {
        if (out != null) out.flush();
    }

    /** Stops writing and releases the file; later writes are dropped. */
    synchronized void close() {
        closed = true;
        closeStream();
    }

    /** Reopens a closed log, for a module started again. */
    synchronized void reopen() {
        closed = false;
    }

    /** Closes the log and deletes its directory with every file in it. */
    synchronized void delete() throws IOException {
        close();
        if (!Files.exists(directory)) return;
        try (Stream<Path> walk = Files.walk(directory)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** The last {@code tail} lines across the current and rotated files, oldest first. */
    synchronized List<String> tail(int tail) throws IOException {
        if (tail <= 0) return List.of();
        if (out != null) out.flush();
        // newest file first, until enough lines are held (one extra: the oldest may be partial)
        Deque<byte[]> contents = new ArrayDeque<>();
        long newlines = 0;
        for (int i = 0; i < files && newlines <= tail; i++) {
            byte[] content = readIfExists(file(i));
            if (content == null) continue;
            contents.addFirst(content);
            for (byte b : content) if (b == '\n') newlines++;
        }
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] content : contents) all.write(content);
        String text = all.toString(StandardCharsets.UTF_8);
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) lines.remove(lines.size() - 1);
        List<String> last = lines.subList(Math.max(0, lines.size() - tail), lines.size());
        List<String> result = new ArrayList<>(last.size());
        for (String line : last) result.add(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
        return result;
    }

    /** {@code output.log} for 0, {@code output.log.i} otherwise. */
    Path file(int i) {
        return directory.resolve(i == 0 ? CURRENT : CURRENT + "." + i);
    }

    private void open() throws IOException {
        Files.createDirectories(directory);
        Path current = file(0);
        out = new BufferedOutputStream(
                Files.newOutputStream(current, StandardOpenOption.CREATE, StandardOpenOption.APPEND));
        size = Files.size(current);
        atLineStart = size == 0 || lastByteIsNewline(current);
    }

    private void rotate() throws IOException {
        closeStream();
        Files.deleteIfExists(file(files - 1));
        for (int i = files - 2; i >= 0; i--) {
            if (Files.exists(file(i))) Files.move(file(i), file(i + 1), StandardCopyOption.REPLACE_EXISTING);
        }
        out = new BufferedOutputStream(Files.newOutputStream(file(0), StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE));
        size = 0;
        atLineStart = true;
    }

    private void closeStream() {
        if (out == null) return;
        try {
            out.close();
        } catch (IOException ignored) {
            // the output is lost either way; the module keeps running
        }
        out = null;
    }

    private static int lengthThroughNewline(byte[] bytes, int offset, int end) {
        for (int i = offset; i < end; i++) {
            if (bytes[i] == '\n') return i - offset + 1;
        }
        return end - offset;
    }

    private static boolean lastByteIsNewline(Path file) throws IOException {
        try (var channel = Files.newByteChannel(file)) {
            long length = channel.size();
            if (length == 0) return true;
            channel.position(length - 1);
            var one = java.nio.ByteBuffer.allocate(1);
            channel.read(one);
            return one.get(0) == '\n';
        }
    }

    private static byte[] readIfExists(Path file) throws IOException {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        }
    }
}
