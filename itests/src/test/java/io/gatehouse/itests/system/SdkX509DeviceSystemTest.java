package io.gatehouse.itests.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.microsoft.azure.sdk.iot.device.ClientOptions;
import com.microsoft.azure.sdk.iot.device.DeviceClient;
import com.microsoft.azure.sdk.iot.device.IotHubClientProtocol;
import com.microsoft.azure.sdk.iot.device.Message;
import com.microsoft.azure.sdk.iot.device.exceptions.IotHubClientException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
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

    record Credentials(X509Certificate certificate, KeyPair keys) {
    }

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
            Credentials camera = selfSigned("cam1");
            Credentials impostor = selfSigned("cam1");
            String thumbprint = colons(sha256(camera.certificate()));
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
    private static SSLContext clientContext(Credentials credentials, Path edgeCa) throws Exception {
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

    private static Credentials selfSigned(String cn) throws Exception {
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(256);
        KeyPair keys = ec.generateKeyPair();
        X500Name name = new X500Name("CN=" + cn);
        Instant now = Instant.now();
        X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(
                name, BigInteger.valueOf(System.nanoTime()), Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(Duration.ofDays(30))), name, keys.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
        return new Credentials(certificate, keys);
    }

    private static String sha256(X509Certificate certificate) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
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
