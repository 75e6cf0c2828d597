package io.gatehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SasTokenTest {
    // key "0123456789abcdef0123456789abcdef" in base64
    private static final String KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

    @Test
    void signsTheUrlEncodedAudienceAndExpiryWithHmacSha256() {
        // expected value computed independently: printf 'hub.example.net%2Fdevices%2Fdev1\n1700000000' | openssl dgst -sha256 -hmac 0123456789abcdef0123456789abcdef -binary | base64
        String token = SasToken.sign("hub.example.net/devices/dev1", KEY, 1700000000L);
        assertThat(token).startsWith("SharedAccessSignature sr=hub.example.net%2Fdevices%2Fdev1&sig=")
                .endsWith("&se=1700000000")
                .contains("sig=" + java.net.URLEncoder.encode(OPENSSL_SIG, java.nio.charset.StandardCharsets.UTF_8));
    }

    private static final String OPENSSL_SIG = "lu1MAZvpfZcsqfa9yHmhjbnnLZqe1y8KsZBAe4r0H7o=";

    @Test
    void moduleAudienceComesFromTheConnectionString() {
        String token = SasToken.fromConnectionString(
                "HostName=hub.example.net;DeviceId=edge1;ModuleId=sink;SharedAccessKey=" + KEY + ";GatewayHostName=gw", 60);
        assertThat(token).startsWith("SharedAccessSignature sr=hub.example.net%2Fdevices%2Fedge1%2Fmodules%2Fsink&sig=");
    }

    @Test
    void aConnectionStringWithoutKeyIsRefused() {
        assertThatThrownBy(() -> SasToken.fromConnectionString("HostName=h;DeviceId=d", 60))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SharedAccessKey");
    }
}
