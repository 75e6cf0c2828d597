package io.gatehouse.cli;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs a shared access signature for an identity from its connection string, as the IoT Hub
 * device SDKs do, so that any MQTT client (mosquitto_pub, …) can connect with it as password.
 */
final class SasToken {
    private SasToken() {
    }

    static String fromConnectionString(String connectionString, long validSeconds) {
        Map<String, String> parts = new HashMap<>();
        for (String part : connectionString.split(";")) {
            int eq = part.indexOf('=');
            if (eq > 0) parts.put(part.substring(0, eq), part.substring(eq + 1));
        }
        String host = parts.get("HostName");
        String device = parts.get("DeviceId");
        String key = parts.get("SharedAccessKey");
        if (host == null || device == null || key == null) {
            throw new IllegalArgumentException("connection string lacks HostName, DeviceId or SharedAccessKey");
        }
        String module = parts.get("ModuleId");
        String audience = host + "/devices/" + encode(device) + (module == null ? "" : "/modules/" + encode(module));
        return sign(audience, key, Instant.now().getEpochSecond() + validSeconds);
    }

    static String sign(String audience, String base64Key, long expiry) {
        String sr = encode(audience);
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(Base64.getDecoder().decode(base64Key), "HmacSHA256"));
            byte[] sig = mac.doFinal((sr + "\n" + expiry).getBytes(StandardCharsets.UTF_8));
            return "SharedAccessSignature sr=" + sr + "&sig=" + encode(Base64.getEncoder().encodeToString(sig))
                    + "&se=" + expiry;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 unavailable", e);
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
