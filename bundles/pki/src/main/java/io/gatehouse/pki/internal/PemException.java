package io.gatehouse.pki.internal;

import java.nio.file.Path;

/** A certificate or key file that cannot be used, with a message naming the file and why. */
final class PemException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient Path file;

    PemException(Path file, String reason) {
        super(file.toAbsolutePath() + " " + reason);
        this.file = file;
    }

    Path file() {
        return file;
    }
}
