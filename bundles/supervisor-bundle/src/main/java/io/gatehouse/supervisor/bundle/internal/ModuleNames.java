package io.gatehouse.supervisor.bundle.internal;

import io.gatehouse.api.module.ModuleRuntimeException;
import java.util.regex.Pattern;

/**
 * A module's name becomes part of its bundle location and the name of its record files, so only
 * the names the agent allows are accepted.
 */
final class ModuleNames {

    static final int MAX_LENGTH = 64;
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    private ModuleNames() {
    }

    static boolean isValid(String name) {
        return name != null && name.length() <= MAX_LENGTH && SAFE.matcher(name).matches();
    }

    static String check(String name) throws ModuleRuntimeException {
        if (name == null || name.isEmpty()) {
            throw new ModuleRuntimeException("a bundle module needs a name");
        }
        if (name.length() > MAX_LENGTH) {
            throw new ModuleRuntimeException("module name '" + name.substring(0, 16) + "…' has " + name.length()
                    + " characters; a bundle module's name may have at most " + MAX_LENGTH);
        }
        if (!SAFE.matcher(name).matches()) {
            throw new ModuleRuntimeException("module name '" + name + "' may only contain letters, digits, '.', '_'"
                    + " and '-', starting with a letter or digit");
        }
        return name;
    }
}
