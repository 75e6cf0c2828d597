package io.gatehouse.upstream.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.api.identity.Identity;
import io.gatehouse.api.identity.IdentityId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class UpstreamCredentialsTest {
    private final MemoryRegistry registry = new MemoryRegistry()
            .with(new Identity(IdentityId.device("child"), "a2V5", "a2V5", true, "edge1"))
            .with(new Identity(IdentityId.device("gleaf"), "a2V5", "a2V5", false, "child"))
            .with(new Identity(IdentityId.device("loopA"), "a2V5", "a2V5", true, "loopB"))
            .with(new Identity(IdentityId.device("loopB"), "a2V5", "a2V5", true, "loopA"));
    private final HmacSigner signer = new HmacSigner();
    private final UpstreamCredentials credentials = new UpstreamCredentials("parent.local", "edge1",
            Fixtures.DEVICE_KEY, Duration.ofHours(1), signer, registry,
            Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC));

    @Test
    void theGatewayConnectsDirectlyAndEveryoneElseAlongTheChainUpToIt() throws Exception {
        assertThat(credentials.username(IdentityId.device("edge1")))
                .isEqualTo("parent.local/edge1/?api-version=2021-04-12&DeviceClientType=gatehouse-upstream%2F1.0");
        assertThat(credentials.authChain(IdentityId.device("gleaf"))).containsExactly("gleaf", "child", "edge1");
        assertThat(credentials.authChain(IdentityId.module("edge1", "$edgeAgent")))
                .containsExactly("edge1/$edgeAgent", "edge1");
        assertThat(credentials.authChain(IdentityId.module("child", "$edgeHub")))
                .containsExactly("child/$edgeHub", "child", "edge1");
        assertThat(credentials.username(IdentityId.module("edge1", "$edgeAgent")))
                .endsWith("&auth-chain=edge1%2F%24edgeAgent;edge1")
                .startsWith("parent.local/edge1/$edgeAgent/?api-version=2021-04-12&");
        // a device nobody registered as below another gateway connects here directly
        assertThat(credentials.authChain(IdentityId.device("stranger"))).containsExactly("stranger", "edge1");
    }

    @Test
    void tokensAreForTheSendersAudienceSignedWithThisGatewaysKeyAndValidForTheConfiguredTime() throws Exception {
        String token = credentials.password(IdentityId.device("gleaf"));
        assertThat(token).startsWith("SharedAccessSignature sr=parent.local%2Fdevices%2Fgleaf&sig=")
                .endsWith("&se=" + Instant.parse("2026-01-01T01:00:00Z").getEpochSecond());
        assertThat(signer.signed).containsExactly(
                new HmacSigner.Signed("parent.local", IdentityId.device("gleaf"), Fixtures.DEVICE_KEY));
    }

    @Test
    void aLoopInTheParentsIsRefusedWithTheChainSoFar() {
        assertThatThrownBy(() -> credentials.authChain(IdentityId.device("loopA")))
                .isInstanceOf(UpstreamException.class).hasMessageContaining("loop").hasMessageContaining("loopA;loopB");
    }
}
