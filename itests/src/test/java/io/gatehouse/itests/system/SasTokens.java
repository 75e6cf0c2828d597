package io.gatehouse.itests.system;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** SAS tokens made the way the Azure IoT device SDKs make them. */
final class SasTokens {
    private SasTokens() {
    }

    static String create(String host, String identity, String base64Key, long validSeconds) {
        String[] ids = identity.split("/", 2);
        String audience = host + "/devices/" + ids[0] + (ids.length == 2 ? "/modules/" + ids[1] : "");
        String sr = URLEncoder.encode(audience, StandardCharsets.UTF_8);
        long se = Instant.now().getEpochSecond() + validSeconds;
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(Base64.getDecoder().decode(base64Key), "HmacSHA256"));
            String sig = Base64.getEncoder().encodeToString(
                    mac.doFinal((sr + "\n" + se).getBytes(StandardCharsets.UTF_8)));
            return "SharedAccessSignature sr=" + sr + "&sig=" + URLEncoder.encode(sig, StandardCharsets.UTF_8)
                    + "&se=" + se;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
