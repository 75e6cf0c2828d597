package io.gatehouse.amqp.internal;

import io.gatehouse.api.identity.IdentityId;
import java.util.Locale;

/**
 * What a link's address names (reference §5.6): the CBS node, Gatehouse's scope node, or an identity and one of its
 * IoT Hub paths. Whether a path is telemetry or module inputs depends on the link's role, so
 * that is decided by the caller.
 */
record LinkAddress(Kind kind, IdentityId identity) {

    enum Kind {
        CBS,
        /** {@code $gatehouse/scope}: a child gateway's device-scope requests (Gatehouse extension). */
        SCOPE,
        /** {@code …/messages/events}: telemetry (we receive) or module inputs (we send). */
        EVENTS,
        /** {@code …/messages/deviceBound}: cloud-to-device messages (we send). */
        DEVICE_BOUND,
        /** {@code …/twin}: twin requests and responses. */
        TWIN,
        /** {@code …/methods/deviceBound}: direct methods. */
        METHODS
    }

    /** The address parsed, or null when it names nothing this hub serves. */
    static LinkAddress parse(String address) {
        if (address == null) return null;
        String a = address;
        int scheme = a.indexOf("://");
        if (scheme >= 0) {
            // amqps://{host}/… : the host is ours whatever it says
            int slash = a.indexOf('/', scheme + 3);
            if (slash < 0) return null;
            a = a.substring(slash);
        }
        if (a.equals("$cbs") || a.equals("/$cbs")) return new LinkAddress(Kind.CBS, null);
        if (a.equals(ScopeNode.ADDRESS) || a.equals("/" + ScopeNode.ADDRESS)) return new LinkAddress(Kind.SCOPE, null);
        if (!a.startsWith("/devices/")) return null;
        String[] p = a.substring("/devices/".length()).split("/", -1);
        if (p.length < 2 || p[0].isEmpty()) return null;
        IdentityId identity;
        int rest;
        if (p.length >= 3 && p[1].equals("modules")) {
            if (p[2].isEmpty()) return null;
            identity = IdentityId.module(p[0], p[2]);
            rest = 3;
        } else {
            identity = IdentityId.device(p[0]);
            rest = 1;
        }
        String path = String.join("/", java.util.Arrays.copyOfRange(p, rest, p.length)).toLowerCase(Locale.ROOT);
        Kind kind = switch (path) {
            case "messages/events" -> Kind.EVENTS;
            case "messages/devicebound" -> Kind.DEVICE_BOUND;
            case "twin" -> Kind.TWIN;
            case "methods/devicebound" -> Kind.METHODS;
            default -> null;
        };
        return kind == null ? null : new LinkAddress(kind, identity);
    }
}
