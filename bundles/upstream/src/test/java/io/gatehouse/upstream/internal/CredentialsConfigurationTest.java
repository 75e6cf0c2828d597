package io.gatehouse.upstream.internal;

import static io.gatehouse.upstream.internal.Fixtures.config;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.api.identity.IdentityId;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Exactly one of deviceKey and certFile+keyFile, X.509 over TLS only; anything else keeps the gateway offline. */
class CredentialsConfigurationTest {
    private static ParentCertificate device;
    @TempDir
    static Path dir;
    private static Path cert;
    private static Path key;

    @BeforeAll
    static void files() throws Exception {
        device = new ParentCertificate("edge-x509");
        cert = device.writePem(dir.resolve("device.pem"));
        key = device.writeKeyPkcs8(dir.resolve("device-key.pem"));
    }

    private static Map<String, Object> base(String protocol) {
        Map<String, Object> m = new HashMap<>();
        m.put("hostName", "parent.local");
        m.put("protocol", protocol);
        m.put("deviceId", "edge1");
        return m;
    }

    private static UpstreamSettings settings(Map<String, Object> m) {
        return UpstreamSettings.from(config(m));
    }

    @Test
    void aCertificateWithItsKeyOverTlsIsTheEdgeDevicesCredentialAndNoKeyIsKept() {
        for (String protocol : new String[] {"mqtts", "amqps"}) {
            Map<String, Object> m = base(protocol);
            m.put("certFile", cert.toString());
            m.put("keyFile", " " + key + " ");
            UpstreamSettings s = settings(m);
            assertThat(s.x509()).isTrue();
            assertThat(s.deviceKey()).isNull();
            assertThat(s.certificate().certificate()).isEqualTo(device.certificate);
            assertThat(s.toString()).contains("X.509 CN=edge-x509").doesNotContain("PRIVATE");
        }
        Map<String, Object> sas = base("amqps");
        sas.put("deviceKey", Fixtures.DEVICE_KEY);
        assertThat(settings(sas).x509()).isFalse();
        assertThat(settings(sas).deviceKey()).isEqualTo(Fixtures.DEVICE_KEY);
    }

    @Test
    void bothNeitherOrHalfOfTheCertificateIsRefusedWithTheReason() {
        Map<String, Object> both = base("mqtts");
        both.put("deviceKey", Fixtures.DEVICE_KEY);
        both.put("certFile", cert.toString());
        both.put("keyFile", key.toString());
        assertThatThrownBy(() -> settings(both)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("both deviceKey and certFile/keyFile are set: set exactly one");

        assertThatThrownBy(() -> settings(base("mqtts")))
                .hasMessageContaining("neither deviceKey nor certFile and keyFile are set");

        Map<String, Object> certOnly = base("amqps");
        certOnly.put("certFile", cert.toString());
        assertThatThrownBy(() -> settings(certOnly)).hasMessageStartingWith("certFile is set but keyFile is not");
        Map<String, Object> keyOnly = base("amqps");
        keyOnly.put("keyFile", key.toString());
        keyOnly.put("deviceKey", Fixtures.DEVICE_KEY);
        assertThatThrownBy(() -> settings(keyOnly)).hasMessageStartingWith("keyFile is set but certFile is not");
    }

    @Test
    void aCertificateOverPlainMqttOrAmqpIsRefusedAndSoIsAnUnreadableFile() throws Exception {
        for (String plain : new String[] {"mqtt", "AMQP"}) {
            Map<String, Object> m = base(plain);
            m.put("certFile", cert.toString());
            m.put("keyFile", key.toString());
            assertThatThrownBy(() -> settings(m)).hasMessage("an X.509 certificate needs TLS, but protocol is " + plain
                    + ": set protocol to amqps or mqtts");
        }
        Map<String, Object> missing = base("mqtts");
        missing.put("certFile", dir.resolve("nope.pem").toString());
        missing.put("keyFile", key.toString());
        assertThatThrownBy(() -> settings(missing)).hasMessageContaining("certFile '" + dir.resolve("nope.pem") + "'");
        Map<String, Object> garbage = base("mqtts");
        garbage.put("certFile", cert.toString());
        garbage.put("keyFile", Files.writeString(dir.resolve("garbage.pem"), "garbage").toString());
        assertThatThrownBy(() -> settings(garbage)).hasMessageContaining("keyFile '" + dir.resolve("garbage.pem") + "'");
    }

    @Test
    void aRefusedConfigurationKeepsTheGatewayOffline() throws Exception {
        try (ServerSocket parent = new ServerSocket(0)) {
            parent.setSoTimeout(800);
            Map<String, Object> m = base("mqtts");
            m.put("hostName", "127.0.0.1");
            m.put("port", parent.getLocalPort());
            m.put("deviceKey", Fixtures.DEVICE_KEY);
            m.put("certFile", cert.toString());
            m.put("keyFile", key.toString());
            UpstreamComponent upstream = new UpstreamComponent(new MemoryStore(), new MemoryRegistry(), new HmacSigner(),
                    config(m));
            try {
                assertThatThrownBy(parent::accept).as("nobody connects").isInstanceOf(SocketTimeoutException.class);
                assertThat(upstream.linkUp()).isFalse();
            } finally {
                upstream.deactivate();
            }
        }
    }

    @Test
    void withX509TheCbsTokenIsTheCertificateMarkerAndThereIsNoPassword() throws Exception {
        UpstreamCredentials x509 = new UpstreamCredentials("parent.local", "edge1", null, Duration.ofHours(1),
                new HmacSigner(), new MemoryRegistry(), Clock.systemUTC());
        assertThat(x509.x509()).isTrue();
        assertThat(x509.cbsToken(IdentityId.device("leaf1")))
                .isEqualTo(new UpstreamCredentials.CbsToken("gatehouse:x509", ""));
        assertThatThrownBy(() -> x509.password(IdentityId.device("edge1"))).isInstanceOf(UpstreamException.class);
        assertThat(x509.username(IdentityId.device("leaf1"))).as("user names as with SAS")
                .isEqualTo("parent.local/leaf1/?api-version=2021-04-12&DeviceClientType=gatehouse-upstream%2F1.0"
                        + "&auth-chain=leaf1;edge1");

        UpstreamCredentials sas = new UpstreamCredentials("parent.local", "edge1", Fixtures.DEVICE_KEY,
                Duration.ofHours(1), new HmacSigner(), new MemoryRegistry(), Clock.systemUTC());
        UpstreamCredentials.CbsToken token = sas.cbsToken(IdentityId.device("leaf1"));
        assertThat(token.type()).isEqualTo("azure-devices.net:sastoken");
        assertThat(token.body()).startsWith("SharedAccessSignature ");
        assertThat(token.toString()).doesNotContain("SharedAccessSignature");
    }
}
