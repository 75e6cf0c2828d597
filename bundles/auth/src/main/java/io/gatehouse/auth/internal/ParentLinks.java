package io.gatehouse.auth.internal;

import io.gatehouse.api.identity.Identity;
import io.gatehouse.api.identity.IdentityId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The parent links between registered devices: a device's parent is a registered edge device,
 * and following parents never comes back to where it started.
 */
final class ParentLinks {

    private ParentLinks() {
    }

    /**
     * Checks what {@code add} guarantees, for a set that did not come through it (a file).
     *
     * @throws IllegalArgumentException naming the first device whose parent is missing, not an
     *         edge device, or part of a cycle
     */
    static void checkConsistent(Collection<Identity> identities) {
        Map<String, Identity> devices = devicesById(identities);
        for (Identity device : devices.values()) {
            String parent = device.parentDeviceId();
            if (parent == null) {
                continue;
            }
            Identity parentIdentity = devices.get(parent);
            if (parentIdentity == null || !parentIdentity.edgeDevice()) {
                throw new IllegalArgumentException("device " + LogSafe.quote(device.id().deviceId()) + " names parent "
                        + LogSafe.quote(parent) + ", which is not "
                        + (parentIdentity == null ? "registered" : "an edge device"));
            }
        }
        Set<String> reachesTheTop = new HashSet<>();
        for (Identity device : devices.values()) {
            Set<String> path = new LinkedHashSet<>();
            for (String at = device.id().deviceId(); at != null && !reachesTheTop.contains(at);
                    at = devices.get(at).parentDeviceId()) {
                if (!path.add(at)) {
                    throw new IllegalArgumentException("devices " + String.join(" -> ", path.stream()
                            .map(LogSafe::quote).toList()) + " -> " + LogSafe.quote(at) + " form a cycle of parents");
                }
            }
            reachesTheTop.addAll(path);
        }
    }

    /**
     * Every device whose chain of parents reaches {@code edgeDeviceId}, and their modules; not the
     * edge device nor its modules. Terminates on any input, cycles included.
     */
    static List<Identity> scopeOf(Collection<Identity> registered, String edgeDeviceId) {
        Map<String, List<String>> children = new HashMap<>();
        for (Identity identity : registered) {
            if (!identity.id().isModule() && identity.parentDeviceId() != null) {
                children.computeIfAbsent(identity.parentDeviceId(), parent -> new ArrayList<>())
                        .add(identity.id().deviceId());
            }
        }
        Set<String> inScope = new HashSet<>();
        Deque<String> toVisit = new ArrayDeque<>(children.getOrDefault(edgeDeviceId, List.of()));
        while (!toVisit.isEmpty()) {
            String device = toVisit.pop();
            if (!device.equals(edgeDeviceId) && inScope.add(device)) {
                toVisit.addAll(children.getOrDefault(device, List.of()));
            }
        }
        List<Identity> scope = new ArrayList<>();
        for (Identity identity : registered) {
            if (inScope.contains(identity.id().deviceId())) {
                scope.add(identity);
            }
        }
        return scope;
    }

    /** Registered devices whose parent is {@code deviceId}. */
    static List<IdentityId> childrenOf(Collection<Identity> registered, String deviceId) {
        List<IdentityId> children = new ArrayList<>();
        for (Identity identity : registered) {
            if (deviceId.equals(identity.parentDeviceId())) {
                children.add(identity.id());
            }
        }
        return children;
    }

    private static Map<String, Identity> devicesById(Collection<Identity> identities) {
        Map<String, Identity> devices = new HashMap<>();
        for (Identity identity : identities) {
            if (!identity.id().isModule()) {
                devices.put(identity.id().deviceId(), identity);
            }
        }
        return devices;
    }
}
