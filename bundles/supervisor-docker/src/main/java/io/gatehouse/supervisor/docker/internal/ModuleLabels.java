package io.gatehouse.supervisor.docker.internal;

import java.util.Map;
import java.util.TreeSet;

/**
 * The labels that mark a container as a Gatehouse module, named as the reference names its own.
 * Only containers with the owner label are ever listed, stopped or removed: an operator's other
 * containers on the same engine are not ours to touch.
 */
final class ModuleLabels {

    static final String PREFIX = "net.azure-devices.edge.";
    static final String OWNER = PREFIX + "owner";
    static final String OWNER_VALUE = "gatehouse";
    static final String VERSION = PREFIX + "version";
    /** The names of the variables the module was given (never their values, which may be secrets). */
    static final String ENV = PREFIX + "env";

    private ModuleLabels() {
    }

    static boolean isOurs(Map<String, String> labels) {
        return labels != null && OWNER_VALUE.equals(labels.get(OWNER));
    }

    static void addTo(Map<String, String> labels, String version, Iterable<String> environmentNames) {
        labels.put(OWNER, OWNER_VALUE);
        labels.put(VERSION, version == null ? "" : version);
        TreeSet<String> names = new TreeSet<>();
        environmentNames.forEach(names::add);
        labels.put(ENV, String.join(",", names));
    }
}
