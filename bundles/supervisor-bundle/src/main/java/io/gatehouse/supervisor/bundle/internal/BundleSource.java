package io.gatehouse.supervisor.bundle.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A bundle's jar on local disk, ready to be read.
 *
 * @param file the jar
 * @param shown where it came from, safe to log (no URL credentials)
 * @param temporary a download to delete once installed
 */
record BundleSource(Path file, String shown, boolean temporary) implements AutoCloseable {

    @Override
    public void close() {
        if (!temporary) return;
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a stray download in the downloads directory; the next one does not depend on it
        }
    }
}
