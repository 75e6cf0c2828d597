package io.gatehouse.agent.internal.reconcile;

import io.gatehouse.api.identity.Identity;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The environment a module gets (reference §2.10): the manifest's {@code env}, the
 * {@code IOTEDGE_*} variables, and {@code EdgeHubConnectionString} with
 * {@code EdgeModuleCACertificateFile}, which the Azure IoT device SDK's
 * {@code ModuleClient.createFromEnvironment} reads before it looks for a workload API. So a
 * module built on the SDK connects to the hub over TLS with nothing else configured.
 *
 * @param caCertificateFile the edge CA's PEM file, or null while no certificates exist
 */
public record ModuleEnvironment(String deviceId, String iotHubHostName, String gatewayHostName, Path caCertificateFile) {

    public Map<String, String> of(String module, Map<String, String> manifestEnv, Identity identity) {
        Map<String, String> env = new LinkedHashMap<>(manifestEnv);
        env.put("IOTEDGE_DEVICEID", deviceId);
        env.put("IOTEDGE_MODULEID", module);
        env.put("IOTEDGE_IOTHUBHOSTNAME", iotHubHostName);
        env.put("IOTEDGE_GATEWAYHOSTNAME", gatewayHostName);
        env.put("IOTEDGE_AUTHSCHEME", "sasToken");
        env.put("RuntimeLogLevel", manifestEnv.getOrDefault("RuntimeLogLevel", "info"));
        env.put("UpstreamProtocol", manifestEnv.getOrDefault("UpstreamProtocol", "Mqtt"));
        if (identity != null) {
            env.put("IOTEDGE_MODULEGENERATIONID", generationId(identity));
            env.put("EdgeHubConnectionString", "HostName=" + iotHubHostName + ";GatewayHostName=" + gatewayHostName
                    + ";DeviceId=" + deviceId + ";ModuleId=" + module + ";SharedAccessKey=" + identity.primaryKey());
        }
        if (caCertificateFile != null) env.put("EdgeModuleCACertificateFile", caCertificateFile.toAbsolutePath().toString());
        return env;
    }

    /**
     * Changes when the identity is deleted and created again (a new key), as the reference's
     * generation id does; derived rather than stored, and one-way, so it reveals nothing of the key.
     */
    static String generationId(Identity identity) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((identity.id() + "\n" + identity.primaryKey()).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 9);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
