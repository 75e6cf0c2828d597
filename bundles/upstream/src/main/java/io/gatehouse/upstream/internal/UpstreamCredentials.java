package io.gatehouse.upstream.internal;

import io.gatehouse.api.identity.Identity;
import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.identity.IdentityRegistry;
import io.gatehouse.api.identity.SasTokenSigner;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What an identity presents at CONNECT to the parent (reference §5.2, §6.5). The gateway itself
 * connects directly; any other identity connects on behalf, with an auth chain from it up to this
 * gateway and a token for its audience signed with this gateway's key. With X.509 (no key) there is
 * no token: every identity's connection presents this gateway's certificate in the TLS handshake,
 * and the chain says on whose behalf.
 */
final class UpstreamCredentials {
    static final String API_VERSION = "2021-04-12";
    static final String CLIENT_TYPE = "gatehouse-upstream/1.0";
    /** The parent refuses longer chains; a deeper walk means a loop in the parent links. */
    static final int MAX_CHAIN = 32;
    /** The CBS token type of a SAS token (IoT Hub's). */
    static final String SAS_TOKEN_TYPE = "azure-devices.net:sastoken";
    /**
     * EXTENSION: the CBS token type by which the parent authenticates the named identity (or, with
     * an auth chain, the chain's actor) by the connection's TLS client certificate; the body is empty.
     */
    static final String X509_TOKEN_TYPE = "gatehouse:x509";

    /** What a CBS put-token carries: its type and body; the body is a secret (a SAS token) or empty. */
    record CbsToken(String type, String body) {
        @Override
        public String toString() {
            return "CbsToken[" + type + "]";
        }
    }

    private final String hostName;
    private final String deviceId;
    private final String deviceKey;
    private final Duration tokenValidity;
    private final SasTokenSigner signer;
    private final IdentityRegistry registry;
    private final Clock clock;

    /** @param deviceKey this gateway's symmetric key, or null when it authenticates by its X.509 certificate */
    UpstreamCredentials(String hostName, String deviceId, String deviceKey, Duration tokenValidity,
            SasTokenSigner signer, IdentityRegistry registry, Clock clock) {
        this.hostName = hostName;
        this.deviceId = deviceId;
        this.deviceKey = deviceKey;
        this.tokenValidity = tokenValidity;
        this.signer = signer;
        this.registry = registry;
        this.clock = clock;
    }

    /** {@code {host}/{id}/?api-version=…&DeviceClientType=…[&auth-chain=…]}. */
    String username(IdentityId id) throws UpstreamException {
        StringBuilder u = new StringBuilder(hostName).append('/').append(id).append("/?api-version=")
                .append(API_VERSION).append("&DeviceClientType=").append(encode(CLIENT_TYPE));
        String chain = authChainText(id);
        if (chain != null) u.append("&auth-chain=").append(chain);
        return u.toString();
    }

    /**
     * The auth chain as the parent reads it, in the MQTT user name and in the AMQP put-token's
     * {@code auth-chain} property alike: elements URL-encoded, joined by {@code ;}; null for this
     * gateway itself.
     */
    String authChainText(IdentityId id) throws UpstreamException {
        List<String> chain = authChain(id);
        if (chain.isEmpty()) return null;
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < chain.size(); i++) {
            if (i > 0) text.append(';');
            text.append(encode(chain.get(i)));
        }
        return text.toString();
    }

    /** The CBS audience of {@code id}: {@code amqps://{host}/devices/{d}[/modules/{m}]}, ids URL-encoded. */
    String audience(IdentityId id) {
        StringBuilder a = new StringBuilder("amqps://").append(hostName).append("/devices/").append(encode(id.deviceId()));
        if (id.isModule()) a.append("/modules/").append(encode(id.moduleId()));
        return a.toString();
    }

    /** Whether every identity authenticates by this gateway's certificate (no passwords, no tokens to renew). */
    boolean x509() {
        return deviceKey == null;
    }

    /** The put-token for {@code id}: a SAS token, or the certificate marker with an empty body. */
    CbsToken cbsToken(IdentityId id) throws UpstreamException {
        return x509() ? new CbsToken(X509_TOKEN_TYPE, "") : new CbsToken(SAS_TOKEN_TYPE, password(id));
    }

    /** Seconds each token is valid. */
    Duration tokenValidity() {
        return tokenValidity;
    }

    /** A SAS token for {@code id}'s audience, signed with this gateway's key. A secret. */
    String password(IdentityId id) throws UpstreamException {
        if (x509()) throw new UpstreamException(id + " authenticates by this gateway's certificate: there is no token");
        try {
            return signer.sign(hostName, id, deviceKey, clock.instant().plus(tokenValidity));
        } catch (IllegalArgumentException e) {
            throw new UpstreamException("cannot sign a token for " + id + ": " + e.getMessage());
        }
    }

    /**
     * The chain from {@code id} to this gateway: {@code id[;its device];parent…;thisDevice}, empty
     * for this gateway itself. Parents come from the local registry; a device with no parent is
     * taken to connect here directly.
     */
    List<String> authChain(IdentityId id) throws UpstreamException {
        if (id.equals(IdentityId.device(deviceId))) return List.of();
        List<String> chain = new ArrayList<>();
        chain.add(id.toString());
        String device = id.deviceId();
        if (id.isModule()) chain.add(device);
        Set<String> seen = new HashSet<>(chain);
        while (!device.equals(deviceId)) {
            Optional<Identity> known = registry.get(IdentityId.device(device));
            String parent = known.map(Identity::parentDeviceId).orElse(null);
            if (parent == null) parent = deviceId;
            if (!seen.add(parent) || chain.size() >= MAX_CHAIN) {
                throw new UpstreamException("the parents of " + id + " form a loop or a chain over " + MAX_CHAIN
                        + " long: " + String.join(";", chain));
            }
            chain.add(parent);
            device = parent;
        }
        return chain;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
