package io.gatehouse.broker.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.api.identity.Authenticator;
import io.gatehouse.api.message.SystemProperties;
import io.gatehouse.api.route.EndpointIds;
import io.gatehouse.api.route.MessageRouter;
import io.gatehouse.api.route.RouteTarget;
import io.gatehouse.api.tls.EdgeCertificates;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.SocketFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The head's MQTT over TLS listener with real Paho clients and JDK TLS sockets, on certificates
 * made in the test. The certificates are bound and replaced as DS does it for a greedy dynamic
 * reference: the successor is bound before the predecessor is unbound.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MqttHeadTlsTest {
    private static final String HOST = "hub.example.net";
    private static final Authenticator AUTH = new TokenAuthenticator();
    private static final MessageRouter ROUTER = m -> m.systemProperty(SystemProperties.CONNECTION_MODULE_ID) == null
            ? List.of(new RouteTarget(EndpointIds.moduleInput("edge1", "sink", "in1"), 0, -1))
            : List.of();

    @TempDir
    static Path dir;
    private final MqttHead head = new MqttHead();
    private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    private final List<MqttClient> clients = new ArrayList<>();
    private TestCertificates certsA;
    private TestCertificates certsB;
    private EdgeCertificates bound;
    private InMemoryStore store;
    private int plainPort;

    record Handshake(String protocol, Certificate peer) {
    }

    @BeforeAll
    void startHead() throws Exception {
        certsA = TestCertificates.issue("Gatehouse test CA A", dir);
        certsB = TestCertificates.issue("Gatehouse test CA B", dir);
        head.bindAuthenticator(AUTH);
        head.bindRouter(ROUTER);
        // DS binds the references it has before activating
        head.bindEdgeCertificates(certsA);
        bound = certsA;
        head.activate(Configs.of(MqttHead.Config.class, Map.of("port", 0, "tlsPort", 0, "tlsHost", "127.0.0.1",
                "stateDirectory", dir.resolve("state").toString(), "serviceWaitMillis", 2000L)));
        plainPort = head.boundPort();
    }

    @AfterAll
    void stopHead() {
        head.deactivate();
    }

    @BeforeEach
    void certificatesAAndAFreshStore() {
        replaceCertificates(certsA);
        store = new InMemoryStore();
        head.bindStore(store);
        received.clear();
    }

    @AfterEach
    void closeClients() {
        store.releaseAppends();
        for (MqttClient c : clients) {
            try {
                if (c.isConnected()) c.disconnectForcibly(100, 100);
                c.close(true);
            } catch (MqttException ignored) {
                // already gone
            }
        }
        clients.clear();
        head.unbindStore(store);
    }

    /** As DS does on a greedy rebind: the successor first, then the predecessor goes. */
    private void replaceCertificates(EdgeCertificates next) {
        if (bound == next) return;
        if (next != null) head.bindEdgeCertificates(next);
        if (bound != null) head.unbindEdgeCertificates(bound);
        bound = next;
    }

    private MqttClient connect(String uri, SocketFactory sockets, String identity) throws MqttException {
        MqttClient c = new MqttClient(uri, identity, new MemoryPersistence());
        clients.add(c);
        MqttConnectOptions o = new MqttConnectOptions();
        o.setUserName(HOST + "/" + identity + "/?api-version=2021-04-12");
        o.setPassword(("token-" + identity).toCharArray());
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setConnectionTimeout(10);
        if (sockets != null) o.setSocketFactory(sockets);
        c.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                received.add(new String(message.getPayload(), StandardCharsets.UTF_8));
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        c.connect(o);
        return c;
    }

    private MqttClient connectTls(SSLSocketFactory trusting, String identity) throws MqttException {
        return connect("ssl://127.0.0.1:" + head.boundTlsPort(), trusting, identity);
    }

    private MqttClient connectPlain(String identity) throws MqttException {
        return connect("tcp://127.0.0.1:" + plainPort, null, identity);
    }

    private Handshake handshake(SSLSocketFactory trusting, String... protocols) throws Exception {
        try (SSLSocket s = (SSLSocket) trusting.createSocket("127.0.0.1", head.boundTlsPort())) {
            s.setSoTimeout(5000);
            if (protocols.length > 0) s.setEnabledProtocols(protocols);
            s.startHandshake();
            return new Handshake(s.getSession().getProtocol(), s.getSession().getPeerCertificates()[0]);
        }
    }

    private void publishTelemetry(MqttClient device, String body) throws MqttException {
        device.publish("devices/" + device.getClientId() + "/messages/events/", body.getBytes(StandardCharsets.UTF_8),
                1, false);
    }

    @Test
    void deviceTelemetryReachesAModuleInputOverTls() throws Exception {
        SSLSocketFactory trustingA = certsA.clientTrustingOnlyThisCa();
        MqttClient module = connectTls(trustingA, "edge1/sink");
        module.subscribe("devices/edge1/modules/sink/inputs/#", 1);
        MqttClient device = connectTls(trustingA, "dev1");
        publishTelemetry(device, "{\"t\":1}"); // returns on the PUBACK, after the store appended
        assertThat(store.appended()).isEqualTo(1);
        assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("{\"t\":1}");
        for (int i = 0; i < 100 && !store.isAcknowledged(0); i++) Thread.sleep(20);
        assertThat(store.isAcknowledged(0)).as("the module's PUBACK over TLS settles the message").isTrue();
        assertThat(handshake(trustingA).peer()).isEqualTo(certsA.server());
    }

    @Test
    void aClientThatDoesNotTrustTheEdgeCaFailsTheHandshake() throws Exception {
        assertThatThrownBy(() -> connectTls(certsB.clientTrustingOnlyThisCa(), "dev1"))
                .isInstanceOf(MqttException.class)
                .hasRootCauseInstanceOf(java.security.cert.CertPathBuilderException.class);
        assertThatThrownBy(() -> handshake((SSLSocketFactory) SSLSocketFactory.getDefault()))
                .as("the JDK's public CAs do not vouch for the edge CA")
                .isInstanceOf(SSLHandshakeException.class);
        assertThat(store.appended()).isZero();
    }

    @Test
    void onlyTls12AndTls13AreAccepted() throws Exception {
        SSLSocketFactory trustingA = certsA.clientTrustingOnlyThisCa();
        SSLContext client = SSLContext.getInstance("TLS");
        client.init(null, null, null);
        assertThat(client.getSupportedSSLParameters().getProtocols())
                .as("this JVM's clients can offer TLS 1.1 (legacy-tls-clients.security in the surefire argLine)")
                .contains("TLSv1.1");
        assertThatThrownBy(() -> handshake(trustingA, "TLSv1.1"))
                .isInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining("protocol_version");
        assertThatThrownBy(() -> handshake(trustingA, "TLSv1"))
                .isInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining("protocol_version");
        assertThat(handshake(trustingA, "TLSv1.2").protocol()).isEqualTo("TLSv1.2");
        assertThat(handshake(trustingA, "TLSv1.3").protocol()).isEqualTo("TLSv1.3");
        assertThat(handshake(trustingA).protocol()).as("the newest both sides speak").isEqualTo("TLSv1.3");
    }

    @Test
    void renewedCertificatesReachNewConnectionsWhileEstablishedOnesAndThePlainListenerGoOn() throws Exception {
        int tlsPort = head.boundTlsPort();
        MqttClient tlsDevice = connectTls(certsA.clientTrustingOnlyThisCa(), "dev1");
        MqttClient plainDevice = connectPlain("dev2");

        replaceCertificates(certsB);

        assertThat(head.boundTlsPort()).as("the socket stays open through a renewal").isEqualTo(tlsPort);
        assertThat(handshake(certsB.clientTrustingOnlyThisCa()).peer()).isEqualTo(certsB.server());
        assertThatThrownBy(() -> handshake(certsA.clientTrustingOnlyThisCa())).isInstanceOf(SSLHandshakeException.class);
        MqttClient renewedDevice = connectTls(certsB.clientTrustingOnlyThisCa(), "dev3");
        publishTelemetry(renewedDevice, "renewed");
        publishTelemetry(tlsDevice, "established-tls");
        publishTelemetry(plainDevice, "established-plain");
        publishTelemetry(connectPlain("dev4"), "new-plain");
        assertThat(tlsDevice.isConnected()).isTrue();
        assertThat(plainDevice.isConnected()).isTrue();
        assertThat(store.appended()).isEqualTo(4);
    }

    @Test
    void withdrawnCertificatesCloseTheTlsListenerAndLeaveEstablishedConnections() throws Exception {
        int tlsPort = head.boundTlsPort();
        MqttClient tlsDevice = connectTls(certsA.clientTrustingOnlyThisCa(), "dev1");

        replaceCertificates(null);

        assertThat(head.boundTlsPort()).isEqualTo(-1);
        // No TLS service on the old port: a connect is refused (or, should the kernel hand the test's
        // socket that very port as its source, connects to itself), and either way no handshake completes.
        assertThatThrownBy(() -> {
            try (SSLSocket s = (SSLSocket) certsA.clientTrustingOnlyThisCa().createSocket("127.0.0.1", tlsPort)) {
                s.setSoTimeout(5_000);
                s.startHandshake();
            }
        }).isInstanceOf(IOException.class);
        publishTelemetry(tlsDevice, "after-withdrawal");
        publishTelemetry(connectPlain("dev2"), "plain");
        assertThat(store.appended()).isEqualTo(2);

        replaceCertificates(certsB);
        assertThat(head.boundTlsPort()).as("the pki bundle is back").isPositive();
        publishTelemetry(connectTls(certsB.clientTrustingOnlyThisCa(), "dev3"), "reopened");
        assertThat(store.appended()).isEqualTo(3);
    }

    @Test
    void unusableCertificatesAreRefusedAndChangeNothing() throws Exception {
        int tlsPort = head.boundTlsPort();
        replaceCertificates(certsB.withPrivateKeyOf(certsA));
        assertThat(head.boundTlsPort()).isEqualTo(tlsPort);
        assertThat(handshake(certsA.clientTrustingOnlyThisCa()).peer()).as("still the previous certificates")
                .isEqualTo(certsA.server());

        replaceCertificates(new EdgeCertificates() {
            @Override
            public List<java.security.cert.X509Certificate> serverCertificateChain() {
                return List.of();
            }

            @Override
            public java.security.PrivateKey serverPrivateKey() {
                return certsA.serverPrivateKey();
            }

            @Override
            public Path caCertificateFile() {
                return certsA.caCertificateFile();
            }
        });
        assertThat(head.boundTlsPort()).isEqualTo(tlsPort);
        assertThat(handshake(certsA.clientTrustingOnlyThisCa()).peer()).isEqualTo(certsA.server());
        publishTelemetry(connectTls(certsA.clientTrustingOnlyThisCa(), "dev1"), "still-served");
        assertThat(store.appended()).isEqualTo(1);
    }
}
