package io.gatehouse.amqp.internal;

import io.gatehouse.api.identity.AuthenticationResult;
import io.gatehouse.api.identity.Authenticator;
import io.gatehouse.api.identity.IdentityId;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A real SAS check (reference §5.5) against keys registered here: the audience must name the
 * claimed identity, the signature must be HMAC-SHA256 of the URL-encoded audience and the expiry
 * with the identity's key, and the token must not have expired (5 minutes of skew). The auth bundle
 * has the production one; this one lets the SDK's real tokens be checked without it. Auth chains
 * (reference §6.5) are checked against the edge devices and parents registered here. Certificates
 * are pinned by their SHA-256 thumbprint registered here (reference §6.3, self-signed).
 */
final class SasAuthenticator implements Authenticator {
    private final Map<IdentityId, String> keys = new HashMap<>();
    private final Set<String> edgeDevices = new HashSet<>();
    private final Map<String, String> parents = new HashMap<>();
    private final Map<IdentityId, String> thumbprints = new java.util.concurrent.ConcurrentHashMap<>();

    /** Lets {@code identity} authenticate with the certificate of this SHA-256 thumbprint (hex). */
    SasAuthenticator registerThumbprint(IdentityId identity, String sha256Hex) {
        thumbprints.put(identity, sha256Hex.toUpperCase(Locale.ROOT));
        return this;
    }

    SasAuthenticator register(IdentityId identity, String base64Key) {
        keys.put(identity, base64Key);
        return this;
    }

    /** An edge device: it may act for the identities below it through an auth chain. */
    SasAuthenticator registerEdge(String deviceId, String base64Key, String parent) {
        edgeDevices.add(deviceId);
        return registerChild(deviceId, base64Key, parent);
    }

    /** A device whose parent is the edge device {@code parent} (null: connected directly). */
    SasAuthenticator registerChild(String deviceId, String base64Key, String parent) {
        if (parent != null) parents.put(deviceId, parent);
        return register(IdentityId.device(deviceId), base64Key);
    }

    boolean isEdgeDevice(String deviceId) {
        return edgeDevices.contains(deviceId);
    }

    @Override
    public AuthenticationResult authenticateSas(IdentityId claimed, String sasToken) {
        String key = keys.get(claimed);
        if (key == null) return AuthenticationResult.failure(claimed + " is not registered");
        return check(claimed, sasToken, key);
    }

    /** As the api's javadoc says: each link of the chain holds, the token is for the target and signed by the actor. */
    @Override
    public AuthenticationResult authenticateSas(IdentityId claimed, String sasToken, List<String> authChain) {
        if (authChain.isEmpty() || !authChain.get(0).equals(claimed.toString())) {
            return AuthenticationResult.failure("the auth chain " + authChain + " does not start with " + claimed);
        }
        if (authChain.size() == 1) return authenticateSas(claimed, sasToken);
        String broken = brokenLink(authChain);
        if (broken != null) return AuthenticationResult.failure(broken);
        String actorKey = keys.get(IdentityId.device(authChain.get(authChain.size() - 1)));
        return check(claimed, sasToken, actorKey);
    }

    /** Why the chain does not hold, or null when every element sits below the next, an edge device. */
    private String brokenLink(List<String> authChain) {
        for (int i = 1; i < authChain.size(); i++) {
            if (!edgeDevices.contains(authChain.get(i))) return authChain.get(i) + " is not an edge device";
            String below = authChain.get(i - 1);
            IdentityId belowId = IdentityId.parse(below);
            String expectedAbove = belowId.isModule() ? belowId.deviceId() : parents.get(below);
            if (!authChain.get(i).equals(expectedAbove)) return below + " is not below " + authChain.get(i);
        }
        return null;
    }

    /** As the api's javadoc says: valid now, and the thumbprint of the target (or, along a chain, of the actor). */
    @Override
    public AuthenticationResult authenticateCertificate(IdentityId claimed, X509Certificate certificate, List<String> authChain) {
        if (certificate == null) return AuthenticationResult.failure("no client certificate for " + claimed);
        IdentityId holder = claimed;
        if (!authChain.isEmpty()) {
            if (!authChain.get(0).equals(claimed.toString())) {
                return AuthenticationResult.failure("the auth chain " + authChain + " does not start with " + claimed);
            }
            String broken = brokenLink(authChain);
            if (broken != null) return AuthenticationResult.failure(broken);
            holder = IdentityId.parse(authChain.get(authChain.size() - 1));
        }
        try {
            certificate.checkValidity();
        } catch (CertificateException e) {
            return AuthenticationResult.failure("the certificate is not valid now: " + e.getMessage());
        }
        String pinned = thumbprints.get(holder);
        if (pinned == null) return AuthenticationResult.failure(holder + " has no certificate thumbprint registered");
        if (!pinned.equals(sha256Thumbprint(certificate))) {
            return AuthenticationResult.failure("the certificate's thumbprint is not the one registered for " + holder);
        }
        return AuthenticationResult.success(claimed);
    }

    static String sha256Thumbprint(X509Certificate certificate) {
        try {
            return HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static AuthenticationResult check(IdentityId claimed, String sasToken, String key) {
        Map<String, String> fields = new HashMap<>();
        String body = sasToken.startsWith("SharedAccessSignature ") ? sasToken.substring(22) : null;
        if (body == null) return AuthenticationResult.failure("not a SharedAccessSignature");
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) fields.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        String sr = fields.get("sr");
        String se = fields.get("se");
        String sig = fields.get("sig");
        if (sr == null || se == null || sig == null) return AuthenticationResult.failure("token lacks sr, se or sig");
        IdentityId audience = Audiences.identity(sr);
        if (audience == null || !audience.toString().toLowerCase(Locale.ROOT).equals(claimed.toString().toLowerCase(Locale.ROOT))) {
            return AuthenticationResult.failure("the token's audience is not " + claimed);
        }
        if (Long.parseLong(se) * 1000 + 300_000 < System.currentTimeMillis()) return AuthenticationResult.failure("token expired");
        // the Java SDK signs sr as it sends it; others sign it URL-encoded (the auth bundle accepts both too)
        byte[] given = Base64.getDecoder().decode(sig);
        if (!MessageDigest.isEqual(sign(key, URLEncoder.encode(sr, StandardCharsets.UTF_8), se), given)
                && !MessageDigest.isEqual(sign(key, sr, se), given)) {
            return AuthenticationResult.failure("signature does not match");
        }
        return AuthenticationResult.success(claimed);
    }

    static String token(String host, IdentityId identity, String base64Key, long expiryEpochSeconds) {
        String sr = host + "/devices/" + identity.deviceId() + (identity.isModule() ? "/modules/" + identity.moduleId() : "");
        String se = Long.toString(expiryEpochSeconds);
        String sig = Base64.getEncoder().encodeToString(sign(base64Key, URLEncoder.encode(sr, StandardCharsets.UTF_8), se));
        return "SharedAccessSignature sr=" + URLEncoder.encode(sr, StandardCharsets.UTF_8) + "&sig="
                + URLEncoder.encode(sig, StandardCharsets.UTF_8) + "&se=" + se;
    }

    private static byte[] sign(String base64Key, String signedResource, String se) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(Base64.getDecoder().decode(base64Key), "HmacSHA256"));
            return mac.doFinal((signedResource + "\n" + se).getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
