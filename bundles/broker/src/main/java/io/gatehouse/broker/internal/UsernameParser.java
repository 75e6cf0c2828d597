package io.gatehouse.broker.internal;

import io.gatehouse.api.identity.IdentityId;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Reads what an MQTT client names in its CONNECT username:
 * {@code {hostname}/{deviceId}[/{moduleId}]/?api-version=…[&auth-chain=…][&…]}. The form without
 * {@code ?} is accepted when the last segment carries {@code api-version=}. Other properties
 * ({@code DeviceClientType}, {@code model-id}, …) are ignored.
 */
final class UsernameParser {
    private static final String API_VERSION = "api-version=";
    private static final String AUTH_CHAIN = "auth-chain=";

    /**
     * @param identity the identity the username names
     * @param authChain the elements of its {@code auth-chain} property (reference §6.5: the target
     *        first, the gateway acting for it last), or an empty list when it has none
     */
    record Username(IdentityId identity, List<String> authChain) {
        boolean onBehalfOf() {
            return !authChain.isEmpty();
        }

        /** The gateway that holds the connection: the chain's last element, or the identity itself. */
        String actor() {
            return authChain.isEmpty() ? identity.toString() : authChain.get(authChain.size() - 1);
        }
    }

    private UsernameParser() {
    }

    /**
     * @return the identity named by the username
     * @throws IllegalArgumentException naming what is malformed
     */
    static IdentityId identityOf(String username) {
        return parse(username).identity();
    }

    /**
     * @throws IllegalArgumentException naming what is malformed: the path, a missing api-version,
     *         or an auth chain that is not URL encoding, has an empty element or comes twice
     */
    static Username parse(String username) {
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
        boolean apiVersion = false;
        List<String> authChain = List.of();
        boolean chainSeen = false;
        for (String pair : query.split("&")) {
            if (pair.startsWith(API_VERSION)) {
                apiVersion = true;
            } else if (pair.startsWith(AUTH_CHAIN)) {
                if (chainSeen) throw new IllegalArgumentException("username has more than one auth-chain property");
                chainSeen = true;
                authChain = authChain(pair.substring(AUTH_CHAIN.length()));
            }
        }
        if (!apiVersion) {
            throw new IllegalArgumentException("username lacks the mandatory api-version property");
        }
        String[] segments = path.split("/", -1);
        if (segments.length < 2 || segments.length > 3) {
            throw new IllegalArgumentException("username must be {hostname}/{deviceId}[/{moduleId}]/?api-version=…");
        }
        for (String segment : segments) {
            if (segment.isEmpty()) throw new IllegalArgumentException("username has an empty segment");
        }
        IdentityId identity = segments.length == 2
                ? IdentityId.device(segments[1])
                : IdentityId.module(segments[1], segments[2]);
        return new Username(identity, authChain);
    }

    /** {@code leaf;child[;…]}, URL-encoded as a whole; a {@code +} stays a plus (ids have no spaces). */
    private static List<String> authChain(String encoded) {
        String decoded;
        try {
            decoded = URLDecoder.decode(encoded.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("username's auth-chain is not valid URL encoding");
        }
        List<String> elements = List.of(decoded.split(";", -1));
        for (String element : elements) {
            if (element.isEmpty()) {
                throw new IllegalArgumentException("username's auth-chain '" + decoded + "' has an empty element");
            }
        }
        return elements;
    }
}
