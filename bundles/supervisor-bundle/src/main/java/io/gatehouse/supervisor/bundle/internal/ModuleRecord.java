package io.gatehouse.supervisor.bundle.internal;

import io.gatehouse.api.module.ModuleState;
import io.gatehouse.api.module.RuntimeStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Optional;
import java.util.Properties;

/**
 * A module's last known state on disk. The framework keeps the bundle across a restart but knows
 * nothing of the deployment's version or of why a module last stopped; this file does.
 */
final class ModuleRecord {

    private static final String VERSION = "version";
    private static final String STATUS = "status";
    private static final String EXIT_CODE = "exitCode";
    private static final String LAST_START = "lastStartTime";
    private static final String LAST_EXIT = "lastExitTime";
    private static final String DESCRIPTION = "statusDescription";

    private ModuleRecord() {
    }

    static void write(Path file, ModuleState state) throws IOException {
        Properties p = new Properties();
        if (state.version() != null) p.setProperty(VERSION, state.version());
        p.setProperty(STATUS, state.status().name());
        if (state.exitCode() != null) p.setProperty(EXIT_CODE, state.exitCode().toString());
        if (state.lastStartTime() != null) p.setProperty(LAST_START, state.lastStartTime().toString());
        if (state.lastExitTime() != null) p.setProperty(LAST_EXIT, state.lastExitTime().toString());
        if (state.statusDescription() != null) p.setProperty(DESCRIPTION, state.statusDescription());
        Files.createDirectories(file.getParent());
        Path next = file.resolveSibling(file.getFileName() + ".next");
        try (OutputStream out = Files.newOutputStream(next)) {
            p.store(out, "module '" + state.name() + "' of the bundle runtime");
        }
        try {
            Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(next, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** The recorded state, or empty when there is none or it cannot be read. */
    static Optional<ModuleState> read(Path file, String name, String type) {
        if (!Files.isRegularFile(file)) return Optional.empty();
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
            return Optional.of(new ModuleState(name, type, p.getProperty(VERSION),
                    RuntimeStatus.valueOf(p.getProperty(STATUS, RuntimeStatus.UNKNOWN.name())),
                    p.getProperty(EXIT_CODE) == null ? null : Integer.valueOf(p.getProperty(EXIT_CODE)),
                    instant(p.getProperty(LAST_START)), instant(p.getProperty(LAST_EXIT)), p.getProperty(DESCRIPTION)));
        } catch (IOException | RuntimeException e) {
            // a damaged record costs the history, not the module
            return Optional.empty();
        }
    }

    static void delete(Path file) throws IOException {
        Files.deleteIfExists(file);
        Files.deleteIfExists(file.resolveSibling(file.getFileName() + ".next"));
    }

    private static Instant instant(String text) {
        return text == null ? null : Instant.parse(text);
    }
}
