package io.gatehouse.router.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The last applied {@code $edgeHub} desired properties on disk. Written to a temporary file,
 * flushed, then renamed over the old one, so a crash leaves either the old or the new content,
 * never a mix.
 */
public final class StateFile {
    static final String FILE_NAME = "edgehub-desired.json";

    private final Path directory;
    private final Path file;

    public StateFile(Path directory) {
        this.directory = directory;
        this.file = directory.resolve(FILE_NAME);
    }

    public Path path() {
        return file;
    }

    /** The stored JSON, or null when none was stored yet. */
    public String read() throws IOException {
        if (!Files.exists(file)) return null;
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    public void write(String content) throws IOException {
        Files.createDirectories(directory);
        Path tmp = directory.resolve(FILE_NAME + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buffer = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
            while (buffer.hasRemaining()) ch.write(buffer);
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory();
    }

    // Makes the rename itself durable; not every platform can open a directory, so best effort.
    private void syncDirectory() {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException | RuntimeException ignored) {
            // the rename is still atomic, only its durability on power loss is weaker
        }
    }
}
