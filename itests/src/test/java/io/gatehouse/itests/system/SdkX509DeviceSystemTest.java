package io.gatehouse.itests.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.microsoft.azure.sdk.iot.device.ClientOptions;
import com.microsoft.azure.sdk.iot.device.DeviceClient;
import com.microsoft.azure.sdk.iot.device.IotHubClientProtocol;
import com.microsoft.azure.sdk.iot.device.Message;
import com.microsoft.azure.sdk.iot.device.exceptions.IotHubClientException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A leaf device written with the Azure IoT device SDK for Java authenticates with a self-signed
 * X.509 certificate (reference §6.3): the operator registers its thumbprint with
 * {@code gatehouse identity add … --x509-thumbprint}, the SDK connects with {@code x509=true} over
 * MQTT with TLS and over AMQPS, and its telemetry is routed on its identity. Another certificate
 * for the same device id gets nowhere.
 */
class SdkX509DeviceSystemTest {
    private static final int SDK_TIMEOUT_MILLIS = 15_000;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = IotHubClientProtocol.class, names = {"MQTT", "AMQPS"})
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void anSdkDeviceWithARegisteredCertificateSendsTelemetry(IotHubClientProtocol protocol) throws Exception {
        try (GatehouseProcess gatehouse = new GatehouseProcess(dir)) {
            // the SDK connects to port 8883 (MQTT) or 5671 (AMQPS) of its host, whatever else is configured
            gatehouse.putEnvironment("GATEHOUSE_MQTT_TLS_PORT", "8883");
            gatehouse.putEnvironment("GATEHOUSE_AMQPS_PORT", "5671");
            gatehouse.putEnvironment("GATEHOUSE_HOSTNAME", "127.0.0.1");
            gatehouse.start();
            SelfSignedCertificate camera = SelfSignedCertificate.create("cam1");
            SelfSignedCertificate impostor = SelfSignedCertificate.create("cam1");
            String thumbprint = colons(camera.sha256());
            GatehouseProcess.CliResult added = gatehouse.cli("identity", "add", "cam1", "--x509-thumbprint", thumbprint);
            assertThat(added.exitCode()).as("identity add: %s%s", added.out(), added.err()).isZero();
            GatehouseProcess.CliResult listed = gatehouse.cli("identity", "list");
            assertThat(listed.out()).containsPattern("cam1.*sas\\+x509");
            String sinkKey = OperatorCli.addIdentity(gatehouse, "edge1/sink");
            OperatorCli.deploy(gatehouse, dir, "routes", List.of(OperatorCli.Route.of("leaves",
                    "FROM /messages/* WHERE NOT is_defined($connectionModuleId) INTO BrokeredEndpoint(\"/modules/sink/inputs/telemetry\")")));
            Path edgeCa = gatehouse.dataDirectory().resolve("certs/edge-ca.pem");
            String connectionString = "HostName=127.0.0.1;DeviceId=cam1;x509=true";

            try (HubClient sink = HubClient.connect(gatehouse.mqttPort(), "edge1/sink", sinkKey)) {
                sink.mqtt.subscribe("devices/edge1/modules/sink/inputs/#", 1);
                DeviceClient device = new DeviceClient(connectionString, protocol,
                        ClientOptions.builder().sslContext(clientContext(camera, edgeCa)).build());
                try {
                    device.open(false);
                    Message frame = new Message("{\"frame\":42}".getBytes(StandardCharsets.UTF_8));
                    frame.setProperty("camera", "north");
                    device.sendEvent(frame, SDK_TIMEOUT_MILLIS);
                } catch (IotHubClientException e) {
                    throw new AssertionError("the SDK: " + e.getMessage() + "; gateway log:\n" + tail(gatehouse), e);
                } finally {
                    device.close();
                }
                HubClient.Received routed = sink.received.poll(20, TimeUnit.SECONDS);
                assertThat(routed).as("the X.509 device's telemetry at the sink; gateway log:\n%s", tail(gatehouse))
                        .isNotNull();
                InputMessage in = InputMessage.of(routed);
                assertThat(in.property("$.cdid")).isEqualTo("cam1");
                assertThat(in.property("camera")).isEqualTo("north");
                assertThat(in.body()).isEqualTo("{\"frame\":42}");

                DeviceClient other = new DeviceClient(connectionString, protocol,
                        ClientOptions.builder().sslContext(clientContext(impostor, edgeCa)).build());
                try {
                    assertThatThrownBy(() -> {
                        other.open(false);
                        other.sendEvent(new Message("{\"frame\":-1}".getBytes(StandardCharsets.UTF_8)), 5_000);
                    }).isInstanceOf(IotHubClientException.class);
                } finally {
                    other.close();
                }
                assertThat(sink.received.poll(2, TimeUnit.SECONDS)).as("nothing from the impostor").isNull();
                assertThat(gatehouse.logText()).contains("matches neither its primary nor its secondary thumbprint");
            }
        }
    }

    /** Presents the device's certificate; trusts the gateway's edge CA only. */
    private static SSLContext clientContext(SelfSignedCertificate credentials, Path edgeCa) throws Exception {
        char[] pass = "itest".toCharArray();
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("device", credentials.keys().getPrivate(), pass,
                new X509Certificate[] {credentials.certificate()});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, pass);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(edgeCa)) {
            trust.setCertificateEntry("edge-ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLSv1.2");
        context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return context;
    }

    /** As {@code openssl x509 -fingerprint} prints it: the operator pastes that. */
    private static String colons(String hex) {
        return String.join(":", hex.split("(?<=\\G..)"));
    }

    private static String tail(GatehouseProcess gatehouse) throws Exception {
        String log = gatehouse.logText();
        return log.substring(Math.max(0, log.length() - 5000));
    }
}
