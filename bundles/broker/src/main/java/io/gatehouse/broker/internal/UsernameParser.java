package io.gatehouse.broker.internal;

import io.gatehouse.api.identity.IdentityId;

/**
 * Reads the identity an MQTT client names in its CONNECT username:
 * {@code {hostname}/{deviceId}[/{moduleId}]/?api-version=…[&…]}. The form without {@code ?} is
 * accepted when the last segment carries {@code api-version=}.
 */
final class UsernameParser {

    private UsernameParser() {
    }

    /**
     * @return the identity named by the username
     * @throws IllegalArgumentException naming what is malformed
     */
    static IdentityId identityOf(String username) {
        String path;
        String query;
        int q = username.indexOf("/?");
        if (q >= 0) {
            path = username.substring(0, q);
            query = username.substring(q + 2);
        } else {
            int last = username.lastIndexOf('/');
            if (last < 0) throw new IllegalArgumentException("username has no {hostname}/{deviceId} part");
            path = username.substring(0, last);
            query = username.substring(last + 1);
        }
        if (!hasApiVersion(query)) {
            throw new IllegalArgumentException("username lacks the mandatory api-version property");
        }
        String[] segments = path.split("/", -1);
        if (segments.length < 2 || segments.length > 3) {
            throw new IllegalArgumentException("username must be {hostname}/{deviceId}[/{moduleId}]/?api-version=…");
        }
        for (String segment : segments) {
            if (segment.isEmpty()) throw new IllegalArgumentException("username has an empty segment");
        }
        return segments.length == 2 ? IdentityId.device(segments[1]) : IdentityId.module(segments[1], segments[2]);
    }

    private static boolean hasApiVersion(String query) {
        for (String pair : query.split("&")) {
            if (pair.startsWith("api-version=")) return true;
        }
        return false;
    }
}
