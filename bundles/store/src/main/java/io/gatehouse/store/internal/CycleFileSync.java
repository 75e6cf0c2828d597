package io.gatehouse.store.internal;

import java.io.Closeable;
import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;

/**
 * Forces a queue's current cycle file to the device after an append. Chronicle writes through a
 * shared memory mapping; on Linux {@code fsync} writes back the mapping's dirty pages too, so
 * {@link FileChannel#force} is the msync Chronicle's own sync mode would need native access for.
 * When a new cycle file appears, its directory entry is forced once as well.
 */
final class CycleFileSync implements Closeable {

    private File current;
    private FileChannel channel;

    void force(File cycleFile) throws IOException {
        if (cycleFile == null) return;
        if (!cycleFile.equals(current)) {
            close();
            channel = FileChannel.open(cycleFile.toPath(), StandardOpenOption.READ);
            current = cycleFile;
            forceDirectory(cycleFile.getParentFile());
        }
        channel.force(false);
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            FileChannel c = channel;
            channel = null;
            current = null;
            c.close();
        }
    }

    /** Makes the entries of a directory (new files, new subdirectories) durable, where the platform can. */
    static void forceDirectory(File directory) {
        if (directory == null) return;
        try (FileChannel dir = FileChannel.open(directory.toPath(), StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            // Not every platform can open a directory for fsync; the file's own data is still forced.
        }
    }
}
