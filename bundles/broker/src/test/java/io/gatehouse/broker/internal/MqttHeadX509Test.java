package io.gatehouse.broker.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.api.identity.AuthenticationResult;
import io.gatehouse.api.identity.Authenticator;
import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.message.Message;
import io.gatehouse.api.message.SystemProperties;
import io.gatehouse.api.route.EndpointIds;
import io.gatehouse.api.route.RouteTarget;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
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
 * X.509 clients over the TLS listener (reference §6.3): the certificate of the handshake, with no
 * password in CONNECT, goes to the authenticator, which judges it for the claimed identity or, on
 * an auth chain, for the actor; identity and auth method of the messages come from that. SAS
 * clients on the same listener send no certificate and are not asked for one.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MqttHeadX509Test {
    private static final String HOST = "hub.example.net";

    @TempDir
    static Path dir;
    private final MqttHead head = new MqttHead();
    private InMemoryStore store;
    private final List<MqttClient> clients = new ArrayList<>();
    /** What the authenticator was asked: identity, and the chain it was given. */
    private final List<String> asked = new ArrayList<>();
    private TestCertificates server;
    private SelfSigned camera;
    private SelfSigned child;
    private SelfSigned stranger;

    record SelfSigned(X509Certificate certificate, KeyPair keys) {
    }

    /** Accepts a certificate only when it is the one "registered" for the identity (the actor on a chain). */
    private final class PinnedAuthenticator implements Authenticator {
        @Override
        public AuthenticationResult authenticateSas(IdentityId claimed, String sasToken) {
            return sasToken.equals("token-" + claimed) ? AuthenticationResult.success(claimed)
                    : AuthenticationResult.failure("bad token");
        }

        @Override
        public AuthenticationResult authenticateSas(IdentityId claimed, String sasToken, List<String> authChain) {
            return AuthenticationResult.failure("no chains with tokens here");
        }

        @Override
        public AuthenticationResult authenticateCertificate(IdentityId claimed, X509Certificate certificate,
                List<String> authChain) {
            synchronized (asked) {
                asked.add(claimed + " " + authChain);
            }
            String holder = authChain.isEmpty() ? claimed.toString() : authChain.get(authChain.size() - 1);
            X509Certificate registered = switch (holder) {
                case "camera" -> camera.certificate();
                case "child" -> child.certificate();
                default -> null;
            };
            return registered != null && registered.equals(certificate) ? AuthenticationResult.success(claimed)
                    : AuthenticationResult.failure("the certificate of '" + holder + "' matches no thumbprint");
        }
    }

    @BeforeAll
    void start() throws Exception {
        server = TestCertificates.issue("Gatehouse X.509 test CA", dir);
        camera = selfSigned("camera");
        child = selfSigned("child");
        stranger = selfSigned("camera");
        head.bindAuthenticator(new PinnedAuthenticator());
        head.bindRouter(m -> List.of(new RouteTarget(EndpointIds.UPSTREAM, 0, -1)));
        head.bindEdgeCertificates(server);
        head.activate(Configs.of(MqttHead.Config.class, Map.of("port", 0, "tlsPort", 0, "tlsHost", "127.0.0.1",
                "stateDirectory", dir.resolve("state").toString(), "serviceWaitMillis", 2000L)));
    }

    @BeforeEach
    void freshStore() {
        store = new InMemoryStore();
        head.bindStore(store);
        asked.clear();
    }

    @AfterAll
    void stop() {
        head.deactivate();
    }

    @AfterEach
    void closeClients() {
        head.unbindStore(store);
        for (MqttClient c : clients) {
            try {
                if (c.isConnected()) c.disconnectForcibly(100, 100);
                c.close(true);
            } catch (MqttException ignored) {
                // already gone
            }
        }
        clients.clear();
    }

    @Test
    void aDeviceWithItsRegisteredCertificateConnectsWithoutAPassword() throws Exception {
        MqttClient c = connect("camera", camera, null, null);
        c.publish("devices/camera/messages/events/", new MqttMessage("{\"frame\":1}".getBytes(StandardCharsets.UTF_8)));
        assertThat(store.appended()).isEqualTo(1);
        Message stored = store.messagesOf(EndpointIds.UPSTREAM).get(0);
        assertThat(stored.systemProperty(SystemProperties.CONNECTION_DEVICE_ID)).isEqualTo("camera");
        assertThat(stored.systemProperty(SystemProperties.CONNECTION_AUTH_METHOD)).isEqualTo("selfSigned");
        assertThat(asked).containsExactly("camera []");
    }

    @Test
    void anotherCertificateIsRefusedAndChangesNothing() {
        assertThatThrownBy(() -> connect("camera", stranger, null, null))
                .isInstanceOfSatisfying(MqttException.class,
                        e -> assertThat(e.getReasonCode()).isEqualTo((int) MqttException.REASON_CODE_NOT_AUTHORIZED));
        assertThatThrownBy(() -> connect("camera", child, null, null)).isInstanceOf(MqttException.class);
        assertThat(store.appended()).isZero();
    }

    @Test
    void aGatewaysCertificateActsAlongItsAuthChain() throws Exception {
        MqttClient c = connect("leaf", child, "leaf;child", null);
        c.publish("devices/leaf/messages/events/", new MqttMessage("{}".getBytes(StandardCharsets.UTF_8)));
        Message stored = store.messagesOf(EndpointIds.UPSTREAM).get(0);
        assertThat(stored.systemProperty(SystemProperties.CONNECTION_DEVICE_ID)).isEqualTo("leaf");
        assertThat(asked).containsExactly("leaf [leaf, child]");
    }

    @Test
    void withoutCertificateOrPasswordAClientIsAnonymousAndRefused() {
        assertThatThrownBy(() -> connect("camera", null, null, null))
                .isInstanceOfSatisfying(MqttException.class,
                        e -> assertThat(e.getReasonCode()).isEqualTo((int) MqttException.REASON_CODE_NOT_AUTHORIZED));
        assertThat(asked).isEmpty();
    }

    @Test
    void aPasswordWinsOverACertificateAndSasClientsNeedNone() throws Exception {
        // a SAS client with no certificate at all, on the same listener
        connect("camera", null, null, "token-camera");
        // a certificate and a password: the password (SAS) is what counts
        assertThatThrownBy(() -> connect("camera", camera, null, "wrong-token")).isInstanceOf(MqttException.class);
        assertThat(asked).isEmpty();
    }

    private MqttClient connect(String identity, SelfSigned certificate, String authChain, String password)
            throws Exception {
        MqttClient c = new MqttClient("ssl://127.0.0.1:" + head.boundTlsPort(), identity, new MemoryPersistence());
        clients.add(c);
        MqttConnectOptions o = new MqttConnectOptions();
        o.setUserName(HOST + "/" + identity + "/?api-version=2021-04-12"
                + (authChain == null ? "" : "&auth-chain=" + authChain));
        if (password != null) o.setPassword(password.toCharArray());
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setConnectionTimeout(10);
        o.setSocketFactory(clientContext(certificate).getSocketFactory());
        c.connect(o);
        return c;
    }

    /** Trusts the test CA; presents the certificate when there is one. */
    private SSLContext clientContext(SelfSigned certificate) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", server.serverCertificateChain().get(server.serverCertificateChain().size() - 1));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (certificate != null) {
            char[] pass = "test".toCharArray();
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("client", certificate.keys().getPrivate(), pass,
                    new X509Certificate[] {certificate.certificate()});
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, pass);
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return context;
    }

    private static SelfSigned selfSigned(String cn) throws Exception {
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(256);
        KeyPair keys = ec.generateKeyPair();
        X500Name name = new X500Name("CN=" + cn);
        Instant now = Instant.now();
        X509Certificate cert = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(name,
                BigInteger.valueOf(System.nanoTime()), Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(Duration.ofDays(1))), name, keys.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
        return new SelfSigned(cert, keys);
    }
}
