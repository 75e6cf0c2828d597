package io.gatehouse.supervisor.process.internal;

import io.gatehouse.api.module.ModuleRuntimeException;
import java.util.regex.Pattern;

/** A module's name becomes the name of its log directory, so only safe path segments are accepted. */
final class ModuleNames {

    static final int MAX_LENGTH = 64;
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._-]+");

    private ModuleNames() {
    }

    static String check(String name) throws ModuleRuntimeException {
        if (name == null || name.isEmpty()) {
            throw new ModuleRuntimeException("a process module needs a name");
        }
        if (name.length() > MAX_LENGTH) {
            throw new ModuleRuntimeException("module name '" + name.substring(0, 16) + "…' has " + name.length()
                    + " characters; a process module's name may have at most " + MAX_LENGTH);
        }
        if (!SAFE.matcher(name).matches()) {
            throw new ModuleRuntimeException("module name '" + name + "' may only contain letters, digits, '.', '_'"
                    + " and '-' (it names the module's log directory)");
        }
        if (name.equals(".") || name.equals("..")) {
            throw new ModuleRuntimeException("module name '" + name + "' is not allowed (it names the module's"
                    + " log directory)");
        }
        return name;
    }
}
