package io.gatehouse.supervisor.bundle.internal;

import io.gatehouse.api.module.ModuleRuntimeException;
import io.gatehouse.api.module.ModuleSpec;
import java.util.Set;

/**
 * What a bundle module's spec asks for, checked before anything is fetched or installed.
 *
 * @param location where the bundle's jar is: a path, a file/http/https URL or mvn: coordinates
 */
record BundleSettings(String location) {

    static final String TYPE = "bundle";
    static final String LOCATION = "location";
    private static final Set<String> KNOWN = Set.of(LOCATION);

    static BundleSettings of(ModuleSpec spec) throws ModuleRuntimeException {
        String module = "module '" + spec.name() + "'";
        if (!TYPE.equals(spec.type())) {
            throw new ModuleRuntimeException(module + " has type '" + spec.type() + "'; this runtime runs type '"
                    + TYPE + "' only");
        }
        for (String key : spec.settings().keySet()) {
            if (!KNOWN.contains(key)) {
                // a typo would otherwise be ignored silently
                throw new ModuleRuntimeException(module + ": unknown setting '" + key + "'; a bundle module reads '"
                        + LOCATION + "' only");
            }
        }
        Object value = spec.settings().get(LOCATION);
        String expected = "; it must name the bundle's jar: a path, a file:, http: or https: URL, or"
                + " mvn:groupId/artifactId/version";
        if (value == null) {
            throw new ModuleRuntimeException(module + ": settings." + LOCATION + " is missing" + expected);
        }
        if (!(value instanceof String location) || location.isBlank()) {
            throw new ModuleRuntimeException(module + ": settings." + LOCATION + " is "
                    + (value instanceof String ? "empty" : "a " + value.getClass().getSimpleName()) + expected);
        }
        if (location.indexOf('\0') >= 0) {
            throw new ModuleRuntimeException(module + ": settings." + LOCATION + " contains a NUL character");
        }
        return new BundleSettings(location.trim());
    }
}
