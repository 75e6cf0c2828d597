package io.gatehouse.auth.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.api.identity.AuthenticationResult;
import io.gatehouse.api.identity.Identity;
import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.identity.SasTokenSigner;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tokens this bundle makes are tokens this bundle accepts. */
class HmacSasTokenSignerTest {

    private static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");
    private static final Instant IN_AN_HOUR = NOW.plusSeconds(3600);
    private static final String GATEWAY = "edge-gw.plant.example";

    private final SasTokenSigner signer = new HmacSasTokenSigner();

    @TempDir
    Path directory;

    private FileIdentityRegistry registry;
    private SasTokenAuthenticator authenticator;
    private Identity child;
    private Identity leaf;
    private Identity module;

    @BeforeEach
    void setUp() throws Exception {
        registry = new FileIdentityRegistry(Configs.registry(directory));
        child = registry.add(new Identity(IdentityId.device("child"), null, null, true, null));
        leaf = registry.add(new Identity(IdentityId.device("leaf:1"), null, null, false, "child"));
        module = registry.add(new Identity(IdentityId.module("leaf:1", "fil+ter"), null, null));
        authenticator = new SasTokenAuthenticator(registry, Configs.of(SasTokenAuthenticator.Config.class,
                Map.of("gatewayHostName", GATEWAY)), Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @Test
    void signedTokensAreAcceptedForDevicesAndModulesWithEitherKey() {
        assertThat(authenticator.authenticateSas(leaf.id(),
                signer.sign(GATEWAY, leaf.id(), leaf.primaryKey(), IN_AN_HOUR)).identity()).isEqualTo(leaf.id());
        assertThat(authenticator.authenticateSas(module.id(),
                signer.sign("gatehouse.local", module.id(), module.secondaryKey(), IN_AN_HOUR)).identity())
                .isEqualTo(module.id());
    }

    @Test
    void signedTokensAreAcceptedAlongAnAuthChain() {
        String onBehalf = signer.sign(GATEWAY, leaf.id(), child.primaryKey(), IN_AN_HOUR);
        assertThat(authenticator.authenticateSas(leaf.id(), onBehalf, List.of("leaf:1", "child")).identity())
                .isEqualTo(leaf.id());
        IdentityId edgeHub = IdentityId.module("child", "$edgeHub");
        assertThat(authenticator.authenticateSas(edgeHub, signer.sign(GATEWAY, edgeHub, child.secondaryKey(),
                IN_AN_HOUR), List.of("child/$edgeHub", "child")).succeeded()).isTrue();
    }

    @Test
    void aTokenSignedWithAnotherKeyIsRefused() {
        AuthenticationResult result = authenticator.authenticateSas(leaf.id(),
                signer.sign(GATEWAY, leaf.id(), child.primaryKey(), IN_AN_HOUR));
        assertThat(result.failureReason()).contains("matches neither its primary nor its secondary key");
    }

    @Test
    void tokensHaveTheSdkFormWithTheExpiryInEpochSeconds() {
        String token = signer.sign(GATEWAY, module.id(), module.primaryKey(), IN_AN_HOUR);
        assertThat(token).startsWith("SharedAccessSignature sr=edge-gw.plant.example%2Fdevices%2Fleaf%253A1%2Fmodules%2Ffil%252Bter&sig=")
                .endsWith("&se=" + IN_AN_HOUR.getEpochSecond());
        assertThat(token).isEqualTo(SasTokenFactory.create(GATEWAY, module.id(), module.primaryKey(),
                IN_AN_HOUR.getEpochSecond()));
        assertThat(authenticator.authenticateSas(module.id(),
                signer.sign(GATEWAY, module.id(), module.primaryKey(), NOW.minusSeconds(3600))).failureReason())
                .contains("expired at 2026-11-26T09:00:00Z");
    }

    @Test
    void refusesAKeyThatIsNotBase64WithoutRepeatingIt() {
        assertThatThrownBy(() -> signer.sign(GATEWAY, leaf.id(), "secret*key!", IN_AN_HOUR))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the key to sign a SAS token for 'leaf:1' is not valid base64")
                .hasMessageNotContaining("secret");
        assertThatThrownBy(() -> signer.sign(GATEWAY, leaf.id(), "", IN_AN_HOUR))
                .isInstanceOf(IllegalArgumentException.class).hasMessageEndingWith("is empty");
        assertThatThrownBy(() -> signer.sign(GATEWAY, leaf.id(), null, IN_AN_HOUR))
                .isInstanceOf(IllegalArgumentException.class).hasMessageEndingWith("is empty");
    }

    @Test
    void refusesMissingArguments() {
        assertThatThrownBy(() -> signer.sign(" ", leaf.id(), leaf.primaryKey(), IN_AN_HOUR))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("host name is required");
        assertThatThrownBy(() -> signer.sign(GATEWAY, null, leaf.primaryKey(), IN_AN_HOUR))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("identity is required");
        assertThatThrownBy(() -> signer.sign(GATEWAY, leaf.id(), leaf.primaryKey(), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expiry");
        assertThatThrownBy(() -> signer.sign(GATEWAY, leaf.id(), leaf.primaryKey(), Instant.ofEpochSecond(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("after 1970-01-01");
    }
}
