package io.gatehouse.broker.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.api.identity.Authenticator;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import javax.net.ssl.SSLSocket;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** How the TLS listener's configuration and the absence of certificates play out, each on a fresh head. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MqttHeadTlsConfigTest {
    private static final Authenticator AUTH = new TokenAuthenticator();

    @TempDir
    static Path dir;
    private TestCertificates certs;
    private MqttHead head;

    @BeforeAll
    void issueCertificates() throws Exception {
        certs = TestCertificates.issue("Gatehouse config test CA", dir);
    }

    @AfterEach
    void stopHead() {
        if (head != null) head.deactivate();
        head = null;
    }

    private MqttHead start(TestCertificates bound, Map<String, Object> overrides) throws Exception {
        head = new MqttHead();
        head.bindAuthenticator(AUTH);
        if (bound != null) head.bindEdgeCertificates(bound);
        Map<String, Object> config = new HashMap<>(Map.of("port", 0, "tlsHost", "127.0.0.1",
                "stateDirectory", dir.resolve("state").toString()));
        config.putAll(overrides);
        head.activate(Configs.of(MqttHead.Config.class, config));
        return head;
    }

    private void assertPlainMqttServes() throws Exception {
        MqttClient c = new MqttClient("tcp://127.0.0.1:" + head.boundPort(), "dev1", new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setUserName("hub/dev1/?api-version=2021-04-12");
        o.setPassword("token-dev1".toCharArray());
        c.connect(o);
        assertThat(c.isConnected()).isTrue();
        c.disconnect();
        c.close();
    }

    @Test
    void withoutCertificatesThereIsNoTlsListenerUntilTheyAreBound() throws Exception {
        start(null, Map.of("tlsPort", 0));
        assertThat(head.boundTlsPort()).isEqualTo(-1);
        assertPlainMqttServes();
        head.bindEdgeCertificates(certs);
        assertThat(head.boundTlsPort()).isPositive();
        try (SSLSocket s = (SSLSocket) certs.clientTrustingOnlyThisCa().createSocket("127.0.0.1", head.boundTlsPort())) {
            s.startHandshake();
            assertThat(s.getSession().getPeerCertificates()[0]).isEqualTo(certs.server());
        }
    }

    @Test
    void aTlsPortThatCannotBeBoundLeavesThePlainListenerServing() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            start(certs, Map.of("tlsPort", taken.getLocalPort()));
            assertThat(head.boundTlsPort()).isEqualTo(-1);
            assertPlainMqttServes();
        }
    }

    @Test
    void tlsPortMinusOneOpensNoTlsListenerEvenWithCertificates() throws Exception {
        start(certs, Map.of("tlsPort", -1));
        head.bindEdgeCertificates(TestCertificates.issue("Gatehouse config test CA 2", dir));
        assertThat(head.boundTlsPort()).isEqualTo(-1);
        assertPlainMqttServes();
    }

    @Test
    void aTlsPortOutsideTheRangeIsRefusedAtActivation() {
        for (int bad : new int[] {-2, 65536}) {
            assertThatThrownBy(() -> start(certs, Map.of("tlsPort", bad)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("tlsPort").hasMessageContaining(String.valueOf(bad));
            head = null; // activation cleaned up after itself
        }
    }
}
