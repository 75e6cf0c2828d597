package io.gatehouse.upstream.internal;

import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.identity.SasTokenSigner;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** A reference §5.5 token signer (the auth bundle's is internal to it); records what it signed for. */
final class HmacSigner implements SasTokenSigner {
    record Signed(String hostName, IdentityId identity, String key) {
    }

    final List<Signed> signed = new CopyOnWriteArrayList<>();

    @Override
    public String sign(String hostName, IdentityId identity, String base64Key, Instant expiry) {
        byte[] key = Base64.getDecoder().decode(base64Key);
        signed.add(new Signed(hostName, identity, base64Key));
        String audience = hostName + "/devices/" + enc(identity.deviceId())
                + (identity.isModule() ? "/modules/" + enc(identity.moduleId()) : "");
        String sr = enc(audience);
        long se = expiry.getEpochSecond();
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            String sig = Base64.getEncoder().encodeToString(mac.doFinal((sr + "\n" + se).getBytes(StandardCharsets.UTF_8)));
            return "SharedAccessSignature sr=" + sr + "&sig=" + enc(sig) + "&se=" + se;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
