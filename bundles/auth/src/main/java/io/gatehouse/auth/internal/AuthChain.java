package io.gatehouse.auth.internal;

import io.gatehouse.api.identity.Identity;
import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.identity.IdentityRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The nested-edge auth chain {@code target;edge…;actor} (reference §6.5): which registry facts
 * must hold for the actor, the last element, to act for the target, the first. Elements are
 * numbered from 1 in failure reasons. Learned identities count as registered: the registry's
 * lookups include them.
 */
final class AuthChain {

    /** IoT Edge nests at most a handful of layers; a longer chain is not worth looking up. */
    static final int MAX_ELEMENTS = 32;

    /** The actor whose key must have signed the token, or why the chain does not hold. */
    record Resolved(Identity actor, String failure) {
        static Resolved failed(String reason) {
            return new Resolved(null, reason);
        }
    }

    private AuthChain() {
    }

    /** @return why the chain is unusable whatever the registry holds, or null */
    static String shapeFailure(IdentityId claimed, String who, List<String> chain) {
        if (chain == null || chain.isEmpty()) {
            return "empty auth chain for " + who;
        }
        if (chain.size() > MAX_ELEMENTS) {
            return "auth chain of " + who + " has " + chain.size() + " elements; at most " + MAX_ELEMENTS
                    + " are accepted";
        }
        for (int i = 0; i < chain.size(); i++) {
            if (chain.get(i) == null || chain.get(i).isBlank()) {
                return "auth chain of " + who + ": element " + (i + 1) + " is blank";
            }
        }
        if (!chain.get(0).equals(claimed.toString())) {
            return "auth chain of " + who + " starts with " + LogSafe.quote(chain.get(0))
                    + "; it must start with the claimed identity";
        }
        return null;
    }

    /** For a chain of at least two elements that passed {@link #shapeFailure}. */
    static Resolved resolve(IdentityRegistry registry, IdentityId claimed, String who, List<String> chain) {
        List<Identity> edges = new ArrayList<>(chain.size());
        edges.add(null);
        for (int i = 1; i < chain.size(); i++) {
            String element = chain.get(i);
            String which = "auth chain of " + who + ": element " + (i + 1) + " " + LogSafe.quote(element);
            if (element.indexOf('/') >= 0) {
                return Resolved.failed(which + " is a module; every element after the first must be an edge device");
            }
            Optional<Identity> edge = registry.get(IdentityId.device(element));
            if (edge.isEmpty()) {
                return Resolved.failed(which + " is not a registered edge device");
            }
            if (!edge.get().edgeDevice()) {
                return Resolved.failed(which + " is registered but is not an edge device");
            }
            edges.add(edge.get());
        }
        String actorId = chain.get(chain.size() - 1);
        Optional<Identity> target = registry.get(claimed);
        if (claimed.isModule()) {
            if (!claimed.deviceId().equals(chain.get(1))) {
                return Resolved.failed(brokenLink(who, chain, 0, "module " + who + " belongs to device "
                        + LogSafe.quote(claimed.deviceId())));
            }
        } else {
            if (target.isEmpty()) {
                return Resolved.failed("unknown identity " + who + " (not registered)");
            }
            String broken = parentMismatch(who, chain, 0, target.get());
            if (broken != null) {
                return Resolved.failed(broken);
            }
        }
        for (int i = 1; i + 1 < chain.size(); i++) {
            String broken = parentMismatch(who, chain, i, edges.get(i));
            if (broken != null) {
                return Resolved.failed(broken);
            }
        }
        boolean moduleOfActor = claimed.isModule() && claimed.deviceId().equals(actorId);
        if (target.isEmpty() && !moduleOfActor) {
            return Resolved.failed("unknown identity " + who + " (not registered; only a module of the actor "
                    + LogSafe.quote(actorId) + " may be unregistered)");
        }
        return new Resolved(edges.get(edges.size() - 1), null);
    }

    private static String parentMismatch(String who, List<String> chain, int index, Identity device) {
        String parent = device.parentDeviceId();
        if (chain.get(index + 1).equals(parent)) {
            return null;
        }
        return brokenLink(who, chain, index, LogSafe.quote(chain.get(index))
                + (parent == null ? " has no parent" : " has parent " + LogSafe.quote(parent)));
    }

    private static String brokenLink(String who, List<String> chain, int index, String fact) {
        return "auth chain of " + who + ": link from element " + (index + 1) + " " + LogSafe.quote(chain.get(index))
                + " to element " + (index + 2) + " " + LogSafe.quote(chain.get(index + 1)) + " does not hold: " + fact;
    }
}
