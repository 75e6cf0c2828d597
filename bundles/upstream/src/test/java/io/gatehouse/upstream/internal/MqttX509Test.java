package io.gatehouse.upstream.internal;

import static io.gatehouse.upstream.internal.Fixtures.await;
import static io.gatehouse.upstream.internal.Fixtures.config;
import static io.gatehouse.upstream.internal.Fixtures.message;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.api.identity.Identity;
import io.gatehouse.api.identity.IdentityId;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * X.509 over MQTT against a Mosquitto that requires a client certificate on its TLS listener and
 * trusts exactly the device's self-signed one (the parent double talks on its plain listener).
 */
class MqttX509Test {
    @TempDir
    static Path dir;
    static Mosquitto mosquitto;
    static Parent parent;
    static int tlsPort;
    static ParentCertificate server;
    static ParentCertificate device;

    @BeforeAll
    static void startParent() throws Exception {
        server = new ParentCertificate("127.0.0.1");
        device = new ParentCertificate("x509gw");
        try (ServerSocket s = new ServerSocket(0)) {
            tlsPort = s.getLocalPort();
        }
        mosquitto = Mosquitto.started(
                "listener " + tlsPort + " 127.0.0.1",
                "certfile " + server.writePem(dir.resolve("server.pem")),
                "keyfile " + server.writeKeyPkcs8(dir.resolve("server-key.pem")),
                "cafile " + device.writePem(dir.resolve("clients.pem")),
                "require_certificate true",
                "use_identity_as_username false");
        parent = Parent.connect(mosquitto.uri());
    }

    @AfterAll
    static void stopParent() throws Exception {
        if (parent != null) parent.close();
        if (mosquitto != null) mosquitto.stop();
    }

    private static Map<String, Object> x509(String deviceId, ParentCertificate certificate, Path state) throws Exception {
        Map<String, Object> m = new HashMap<>();
        m.put("hostName", "127.0.0.1");
        m.put("port", tlsPort);
        m.put("protocol", "mqtts");
        m.put("caFile", dir.resolve("server.pem").toString());
        m.put("certFile", certificate.writePem(state.resolve("device.pem")).toString());
        m.put("keyFile", certificate.writeKeyTraditional(state.resolve("device-key.pem")).toString());
        m.put("deviceId", deviceId);
        m.put("operationTimeoutSecs", 5);
        m.put("reconnectMaxDelaySecs", 1);
        m.put("reportIntervalSecs", 1);
        m.put("stateDirectory", state.toString());
        return m;
    }

    @Test
    void theGatewayAndEveryoneOnItsBehalfConnectWithItsCertificateTheirUsualUserNamesAndNoPassword(
            @TempDir Path state) throws Exception {
        MemoryRegistry registry = new MemoryRegistry()
                .with(new Identity(IdentityId.device("xleaf"), "a2V5", "a2V5", false, "x509gw"));
        MemoryStore store = new MemoryStore();
        store.append(message("x509gw", null, "own-1", "{}"));
        store.append(message("xleaf", null, "leaf-1", "{}"));
        HmacSigner signer = new HmacSigner();
        Map<String, Object> c = x509("x509gw", device, state);
        UpstreamComponent upstream = new UpstreamComponent(store, registry, signer, config(c));
        try {
            await("both messages went over TLS with the certificate", () -> store.pending() == 0, store::pending);
            assertThat(upstream.linkUp()).isTrue();
            assertThat(parent.telemetry("devices/x509gw/messages/events/")).hasSize(1);
            assertThat(parent.telemetry("devices/xleaf/messages/events/")).hasSize(1);
            assertThat(mosquitto.connectLines()).anySatisfy(l -> assertThat(l).contains(" as x509gw ")
                    .contains("u'127.0.0.1/x509gw/?api-version=2021-04-12&DeviceClientType=gatehouse-upstream%2F1.0'"));
            assertThat(mosquitto.connectLines()).anySatisfy(l -> assertThat(l).contains(" as xleaf ")
                    .contains("&auth-chain=xleaf;x509gw'"));
            assertThat(signer.signed).as("no SAS token was made for anyone").isEmpty();
        } finally {
            upstream.deactivate();
        }

        // what those CONNECTs carried: the user name, no password
        UpstreamSettings settings = UpstreamSettings.from(config(c));
        UpstreamCredentials credentials = new UpstreamCredentials("127.0.0.1", "x509gw", settings.deviceKey(),
                settings.tokenValidity(), signer, registry, Clock.systemUTC());
        MqttConnectOptions own = new MqttParentChannel(IdentityId.device("x509gw"), settings, credentials, null, Set.of(),
                new Requests(), null, null).options();
        MqttConnectOptions onBehalf = new MqttParentChannel(IdentityId.device("xleaf"), settings, credentials, null,
                Set.of(), new Requests(), null, null).options();
        assertThat(own.getPassword()).isNull();
        assertThat(onBehalf.getPassword()).isNull();
        assertThat(onBehalf.getUserName()).endsWith("&auth-chain=xleaf;x509gw");
    }

    @Test
    void aCertificateTheParentDoesNotKnowKeepsTheLinkDownAndMessagesWait(@TempDir Path state) throws Exception {
        ParentCertificate stranger = new ParentCertificate("x509stranger");
        MemoryStore store = new MemoryStore();
        store.append(message("x509stranger", null, "waits", "{}"));
        UpstreamComponent upstream = new UpstreamComponent(store, new MemoryRegistry(), new HmacSigner(),
                config(x509("x509stranger", stranger, state)));
        try {
            Thread.sleep(1500);
            assertThat(upstream.linkUp()).isFalse();
            assertThat(store.pending()).isEqualTo(1);
            assertThat(mosquitto.connectLines()).noneSatisfy(l -> assertThat(l).contains(" as x509stranger "));
        } finally {
            upstream.deactivate();
        }
    }
}
