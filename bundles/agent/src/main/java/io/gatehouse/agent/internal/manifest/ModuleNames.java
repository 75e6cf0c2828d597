package io.gatehouse.agent.internal.manifest;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which module names a deployment may use. Stricter than IoT Hub's module ids on purpose: a name
 * becomes a container name, a log directory or a bundle location, so only what every runtime
 * accepts is allowed.
 */
final class ModuleNames {

    static final int MAX_LENGTH = 64;
    private static final Pattern ALLOWED = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    private ModuleNames() {
    }

    /** Why a user module may not have this name, or empty when it may. */
    static Optional<String> problem(String name) {
        if (name.isEmpty()) return Optional.of("a module name is empty");
        if (name.length() > MAX_LENGTH) {
            return Optional.of("module name '" + name.substring(0, 16) + "…' has " + name.length()
                    + " characters; at most " + MAX_LENGTH + " are allowed");
        }
        if (!ALLOWED.matcher(name).matches()) {
            return Optional.of("module name '" + name + "' is not allowed: use letters, digits, '.', '_' and '-',"
                    + " starting with a letter or digit");
        }
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.equals("edgeagent") || lower.equals("edgehub")) {
            return Optional.of("module name '" + name + "' is reserved: configure it under systemModules");
        }
        return Optional.empty();
    }
}
