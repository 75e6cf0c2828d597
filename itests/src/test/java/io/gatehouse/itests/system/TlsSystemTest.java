package io.gatehouse.itests.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MQTT over TLS with the certificates the gateway makes on its first start: a device and a module
 * that trust only the edge CA file (what a module is handed as {@code EdgeModuleCACertificateFile})
 * connect to the TLS listener, and telemetry is routed from one to the other; a client that does
 * not trust the edge CA is refused in the handshake.
 */
class TlsSystemTest {
    @TempDir
    Path dir;

    @Test
    void devicesAndModulesTrustingTheEdgeCaTalkOverTlsAndOthersAreRefused() throws Exception {
        try (GatehouseProcess gatehouse = new GatehouseProcess(dir)) {
            gatehouse.start();
            Map<String, String> keys = OperatorCli.addIdentities(gatehouse, List.of("dev1", "edge1/sink"));
            OperatorCli.deploy(gatehouse, dir, "deployment", List.of(OperatorCli.Route.of("all",
                    "FROM /messages/* INTO BrokeredEndpoint(\"/modules/sink/inputs/all\")")));
            Path ca = gatehouse.dataDirectory().resolve("certs").resolve("edge-ca.pem");
            assertThat(ca).as("the edge CA a module is handed").exists();
            SSLSocketFactory trustingEdgeCa = trusting(ca);
            String uri = "ssl://localhost:" + gatehouse.tlsPort();

            try (HubClient module = new HubClient(uri, trustingEdgeCa, "edge1/sink",
                    SasTokens.create(GatehouseProcess.IOTHUB, "edge1/sink", keys.get("edge1/sink"), 3600), true);
                 HubClient device = new HubClient(uri, trustingEdgeCa, "dev1",
                    SasTokens.create(GatehouseProcess.IOTHUB, "dev1", keys.get("dev1"), 3600), true)) {
                module.mqtt.subscribe("devices/edge1/modules/sink/inputs/#", 1);
                device.mqtt.publish("devices/dev1/messages/events/", "over tls".getBytes(StandardCharsets.UTF_8), 1, false);
                HubClient.Received r = module.received.poll(20, TimeUnit.SECONDS);
                assertThat(r).as("the module received the device's telemetry over TLS").isNotNull();
                assertThat(r.body()).isEqualTo("over tls");
                assertThat(InputMessage.of(r).property("$.cdid")).isEqualTo("dev1");
            }

            SSLContext defaultTrust = SSLContext.getInstance("TLS");
            defaultTrust.init(null, null, null); // the JDK's own CAs: the edge CA is not among them
            assertThatThrownBy(() -> new HubClient(uri, defaultTrust.getSocketFactory(), "dev1",
                    SasTokens.create(GatehouseProcess.IOTHUB, "dev1", keys.get("dev1"), 3600), true).close())
                    .isInstanceOf(MqttException.class);
        }
    }

    private static SSLSocketFactory trusting(Path caPem) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(caPem)) {
            int i = 0;
            for (var cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trust.setCertificateEntry("edge-ca-" + i++, (X509Certificate) cert);
            }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context.getSocketFactory();
    }
}
