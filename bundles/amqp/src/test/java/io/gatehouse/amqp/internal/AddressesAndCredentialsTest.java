package io.gatehouse.amqp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.api.identity.IdentityId;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class AddressesAndCredentialsTest {

    @Test
    void plainUsernamesNameDevicesAndModules() {
        assertThat(SaslPlainCredentials.identityOf("d1@sas.myhub")).isEqualTo(IdentityId.device("d1"));
        assertThat(SaslPlainCredentials.identityOf("d1/modules/m1@sas.myhub")).isEqualTo(IdentityId.module("d1", "m1"));
        assertThat(SaslPlainCredentials.identityOf("d1@myhub.azure-devices.net")).isEqualTo(IdentityId.device("d1"));
        assertThat(SaslPlainCredentials.identityOf("d1/m1@myhub")).isEqualTo(IdentityId.module("d1", "m1"));
        assertThatThrownBy(() -> SaslPlainCredentials.identityOf("d1")).hasMessageContaining("d1");
        assertThatThrownBy(() -> SaslPlainCredentials.identityOf("@hub")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void plainResponsesAreAuthzidUsernamePassword() {
        SaslPlainCredentials c = SaslPlainCredentials.parse("\0d1@sas.hub\0SharedAccessSignature sr=x".getBytes(StandardCharsets.UTF_8));
        assertThat(c.identity()).isEqualTo(IdentityId.device("d1"));
        assertThat(c.token()).isEqualTo("SharedAccessSignature sr=x");
        assertThatThrownBy(() -> SaslPlainCredentials.parse("d1@sas.hub".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SaslPlainCredentials.parse("\0d1@sas.hub\0secret-token".replace("secret-token", "").getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("empty password");
    }

    @Test
    void audiencesWithAndWithoutSchemeAndEncodedIds() {
        assertThat(Audiences.identity("amqps://hub.example.net/devices/d1")).isEqualTo(IdentityId.device("d1"));
        assertThat(Audiences.identity("hub.example.net/devices/d%231/modules/m1")).isEqualTo(IdentityId.module("d#1", "m1"));
        assertThat(Audiences.identity("hub.example.net/devices/")).isNull();
        assertThat(Audiences.identity("hub.example.net/devices/d1/twin")).isNull();
        assertThat(Audiences.identity("/devices/d1")).isNull();
    }

    @Test
    void aDeviceAudienceWithAModuleTokenClaimsTheModuleOfThatDeviceOnly() {
        String moduleToken = "SharedAccessSignature sig=abc&se=1&sr=hub/devices/d1/modules/m1";
        assertThat(Audiences.claimed("hub/devices/d1", moduleToken)).isEqualTo(IdentityId.module("d1", "m1"));
        String otherDevicesModule = "SharedAccessSignature sig=abc&se=1&sr=hub/devices/d2/modules/m1";
        assertThat(Audiences.claimed("hub/devices/d1", otherDevicesModule)).isEqualTo(IdentityId.device("d1"));
        assertThat(Audiences.claimed("hub/devices/d1/modules/m2", moduleToken)).isEqualTo(IdentityId.module("d1", "m2"));
    }

    @Test
    void tokenExpiryAddsTheSkewAndAnUnreadableOneLeavesItToTheAuthenticator() {
        assertThat(SasTokens.validUntilMillis("SharedAccessSignature sr=h%2Fdevices%2Fd1&sig=x&se=1000"))
                .isEqualTo(1_000_000 + SasTokens.CLOCK_SKEW_MILLIS);
        assertThat(SasTokens.validUntilMillis("SharedAccessSignature sr=h&sig=x")).isEqualTo(Long.MAX_VALUE);
        assertThat(SasTokens.audienceIdentity("SharedAccessSignature sr=h%2Fdevices%2Fd1&sig=x&se=1"))
                .isEqualTo(IdentityId.device("d1"));
    }

    @Test
    void linkAddresses() {
        assertThat(LinkAddress.parse("$cbs").kind()).isEqualTo(LinkAddress.Kind.CBS);
        assertThat(LinkAddress.parse("/devices/d1/messages/events"))
                .isEqualTo(new LinkAddress(LinkAddress.Kind.EVENTS, IdentityId.device("d1")));
        assertThat(LinkAddress.parse("/devices/d1/modules/m1/messages/events"))
                .isEqualTo(new LinkAddress(LinkAddress.Kind.EVENTS, IdentityId.module("d1", "m1")));
        assertThat(LinkAddress.parse("/devices/d1/messages/devicebound").kind()).isEqualTo(LinkAddress.Kind.DEVICE_BOUND);
        assertThat(LinkAddress.parse("amqps://hub/devices/d1/messages/deviceBound").kind()).isEqualTo(LinkAddress.Kind.DEVICE_BOUND);
        assertThat(LinkAddress.parse("/devices/d1/modules/m1/twin").kind()).isEqualTo(LinkAddress.Kind.TWIN);
        assertThat(LinkAddress.parse("/devices/d1/methods/deviceBound").kind()).isEqualTo(LinkAddress.Kind.METHODS);
        assertThat(LinkAddress.parse("/devices/d1/messages/other")).isNull();
        assertThat(LinkAddress.parse("/devices//messages/events")).isNull();
        assertThat(LinkAddress.parse(null)).isNull();
    }
}
