package io.gatehouse.auth.internal;

import io.gatehouse.api.identity.IdentityId;
import java.util.Base64;

/** Creates SAS tokens the way the Azure IoT SDKs do (ids encoded, then the whole audience). */
public final class SasTokenFactory {

    private SasTokenFactory() {
    }

    /**
     * @param host the IoT hub or gateway host name the token is for
     * @param base64Key the identity's symmetric key
     * @param expiryEpochSeconds when the token expires
     */
    public static String create(String host, IdentityId id, String base64Key, long expiryEpochSeconds) {
        return create(host, id, Base64.getDecoder().decode(base64Key), expiryEpochSeconds);
    }

    /** @param key the decoded symmetric key, not empty */
    static String create(String host, IdentityId id, byte[] key, long expiryEpochSeconds) {
        String resource = UrlCoding.encode(audience(host, id));
        String expiry = Long.toString(expiryEpochSeconds);
        byte[] signature = SasSignature.compute(key, resource, expiry);
        return SasToken.PREFIX + "sr=" + resource
                + "&sig=" + UrlCoding.encode(Base64.getEncoder().encodeToString(signature))
                + "&se=" + expiry;
    }

    /** {@code {host}/devices/{enc(d)}[/modules/{enc(m)}]}, not yet encoded as a whole. */
    public static String audience(String host, IdentityId id) {
        String audience = host + "/devices/" + UrlCoding.encode(id.deviceId());
        return id.isModule() ? audience + "/modules/" + UrlCoding.encode(id.moduleId()) : audience;
    }
}
