package io.gatehouse.upstream.internal;

import io.gatehouse.api.identity.Identity;
import io.gatehouse.api.identity.IdentityId;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Whose twins and direct methods this gateway carries across to its parent: its own modules
 * (not {@code $edgeAgent}/{@code $edgeHub}, whose twins carry deployments), and the leaf devices
 * directly below it. A device below a child gateway of this one is that child's to mirror (its
 * own upstream does it), so it is not mirrored here.
 */
final class MirrorTargets {
    static final Set<String> NOT_MIRRORED = Set.of("$edgeAgent", "$edgeHub");

    private MirrorTargets() {
    }

    /** Whether {@code id} is a module of this gateway whose twin is mirrored (whether or not it is registered). */
    static boolean isOwnModule(IdentityId id, String deviceId) {
        return id.isModule() && id.deviceId().equals(deviceId) && !NOT_MIRRORED.contains(id.moduleId());
    }

    /** The modules of this gateway among {@code identities}. */
    static Set<IdentityId> ownModules(List<Identity> identities, String deviceId) {
        Set<IdentityId> out = new LinkedHashSet<>();
        for (Identity i : identities) {
            if (isOwnModule(i.id(), deviceId)) out.add(i.id());
        }
        return out;
    }

    /**
     * The devices among {@code identities} whose parent is this gateway and which are not gateways
     * themselves: the leaves that connect here.
     */
    static Set<IdentityId> directLeaves(List<Identity> identities, String deviceId) {
        Set<IdentityId> out = new LinkedHashSet<>();
        for (Identity i : identities) {
            IdentityId id = i.id();
            if (id.isModule() || i.edgeDevice() || id.deviceId().equals(deviceId)) continue;
            if (deviceId.equals(i.parentDeviceId())) out.add(id);
        }
        return out;
    }
}
