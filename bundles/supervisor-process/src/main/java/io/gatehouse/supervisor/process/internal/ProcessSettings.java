package io.gatehouse.supervisor.process.internal;

import io.gatehouse.api.module.ModuleRuntimeException;
import io.gatehouse.api.module.ModuleSpec;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a process module's spec asks for, checked before anything is recorded: a refused spec
 * changes nothing, and its message says what to fix in the deployment manifest.
 *
 * @param command argv; the first element is the program
 * @param workingDir the directory it runs in, or null for the gateway's own
 */
record ProcessSettings(List<String> command, Path workingDir) {

    static final String TYPE = "process";
    static final String COMMAND = "command";
    static final String WORKING_DIR = "workingDir";
    private static final Set<String> KNOWN = Set.of(COMMAND, WORKING_DIR);

    static ProcessSettings of(ModuleSpec spec) throws ModuleRuntimeException {
        String module = "module '" + spec.name() + "'";
        if (!TYPE.equals(spec.type())) {
            throw new ModuleRuntimeException(module + " has type '" + spec.type() + "'; this runtime runs type '"
                    + TYPE + "' only");
        }
        for (String key : spec.settings().keySet()) {
            if (!KNOWN.contains(key)) {
                // a typo such as "workdir" would otherwise run the module somewhere unintended
                throw new ModuleRuntimeException(module + ": unknown setting '" + key + "'; a process module reads '"
                        + COMMAND + "' and '" + WORKING_DIR + "'");
            }
        }
        checkEnvironment(module, spec.environment());
        return new ProcessSettings(command(module, spec.settings().get(COMMAND)),
                workingDir(module, spec.settings().get(WORKING_DIR)));
    }

    private static List<String> command(String module, Object value) throws ModuleRuntimeException {
        String expected = "; it must be a non-empty array of strings, the program first, e.g."
                + " [\"python3\", \"sensor.py\"]";
        if (value == null) {
            throw new ModuleRuntimeException(module + ": settings." + COMMAND + " is missing" + expected);
        }
        if (!(value instanceof List<?> list)) {
            throw new ModuleRuntimeException(module + ": settings." + COMMAND + " is a "
                    + value.getClass().getSimpleName() + expected);
        }
        if (list.isEmpty()) {
            throw new ModuleRuntimeException(module + ": settings." + COMMAND + " is empty" + expected);
        }
        List<String> argv = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            Object element = list.get(i);
            if (!(element instanceof String s)) {
                throw new ModuleRuntimeException(module + ": settings." + COMMAND + "[" + i + "] is "
                        + (element == null ? "null" : "a " + element.getClass().getSimpleName() + " (" + element + ")")
                        + expected);
            }
            if (s.indexOf('\0') >= 0) {
                throw new ModuleRuntimeException(module + ": settings." + COMMAND + "[" + i
                        + "] contains a NUL character");
            }
            argv.add(s);
        }
        if (argv.get(0).isBlank()) {
            throw new ModuleRuntimeException(module + ": settings." + COMMAND + "[0], the program, is empty");
        }
        return List.copyOf(argv);
    }

    private static Path workingDir(String module, Object value) throws ModuleRuntimeException {
        if (value == null) return null;
        if (!(value instanceof String s) || s.isBlank()) {
            throw new ModuleRuntimeException(module + ": settings." + WORKING_DIR + " must be the path of an existing"
                    + " directory, not " + (value instanceof String ? "an empty string" : value));
        }
        Path dir;
        try {
            dir = Path.of(s);
        } catch (InvalidPathException e) {
            throw new ModuleRuntimeException(module + ": settings." + WORKING_DIR + " '" + s + "' is not a valid path: "
                    + e.getReason());
        }
        if (!Files.isDirectory(dir)) {
            throw new ModuleRuntimeException(module + ": settings." + WORKING_DIR + " '" + s + "' is not an existing"
                    + " directory on this gateway");
        }
        return dir;
    }

    private static void checkEnvironment(String module, Map<String, String> environment)
            throws ModuleRuntimeException {
        for (Map.Entry<String, String> e : environment.entrySet()) {
            String name = e.getKey();
            if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0) {
                throw new ModuleRuntimeException(module + ": environment variable name '" + name
                        + "' is not allowed (empty, or contains '=' or NUL)");
            }
            if (e.getValue().indexOf('\0') >= 0) {
                throw new ModuleRuntimeException(module + ": environment variable " + name
                        + " contains a NUL character");
            }
        }
    }
}
