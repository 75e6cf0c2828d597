package io.gatehouse.auth.internal;

import static io.gatehouse.auth.internal.TestKeys.key;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.api.identity.AuthenticationMissListener;
import io.gatehouse.api.identity.Identity;
import io.gatehouse.api.identity.IdentityId;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failures a stale registry may cause (unknown identity, unknown key, a chain through an unknown
 * gateway) tell the miss listeners, so a child gateway refreshes its scope; failures that are the
 * client's own (expired or malformed token) tell nobody.
 */
class AuthenticationMissTest {
    private static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");
    private static final long IN_AN_HOUR = NOW.getEpochSecond() + 3600;
    private static final String HUB = "gatehouse.local";
    private static final IdentityId CHILD = IdentityId.device("child");
    private static final IdentityId LEAF = IdentityId.device("leaf");
    private static final IdentityId NEWCOMER = IdentityId.device("newcomer");
    private static final String CHILD_KEY = key(1);
    private static final String LEAF_KEY = key(2);

    @TempDir
    Path directory;

    private final List<IdentityId> missed = new CopyOnWriteArrayList<>();
    private SasTokenAuthenticator authenticator;

    @BeforeEach
    void setUp() throws Exception {
        FileIdentityRegistry registry = new FileIdentityRegistry(Configs.registry(directory));
        registry.add(new Identity(CHILD, CHILD_KEY, null, true, null));
        registry.add(new Identity(LEAF, LEAF_KEY, null, false, "child"));
        authenticator = new SasTokenAuthenticator(registry, Configs.hub(), Clock.fixed(NOW, ZoneOffset.UTC));
        AuthenticationMissListener throwing = id -> {
            throw new IllegalStateException("a broken listener must not stop the others");
        };
        authenticator.missListeners = List.of(throwing, missed::add);
    }

    @Test
    void anUnknownIdentityIsAMiss() {
        assertThat(authenticator.authenticateSas(NEWCOMER, token(NEWCOMER, key(3))).succeeded()).isFalse();
        assertThat(missed).containsExactly(NEWCOMER);
    }

    @Test
    void aKeyThisGatewayDoesNotKnowIsAMiss() {
        assertThat(authenticator.authenticateSas(LEAF, token(LEAF, key(9))).succeeded()).isFalse();
        assertThat(missed).containsExactly(LEAF);
    }

    @Test
    void aChainThroughAnUnknownGatewayIsAMiss() {
        assertThat(authenticator.authenticateSas(NEWCOMER, token(NEWCOMER, key(3)), List.of("newcomer", "grandchild"))
                .succeeded()).isFalse();
        assertThat(authenticator.authenticateSas(LEAF, token(LEAF, key(9)), List.of("leaf", "child")).succeeded())
                .isFalse();
        assertThat(missed).containsExactly(NEWCOMER, LEAF);
    }

    @Test
    void theClientsOwnFaultsAndSuccessesAreNoMiss() {
        String expired = SasTokenFactory.create(HUB, LEAF, LEAF_KEY, NOW.getEpochSecond() - 3600);
        assertThat(authenticator.authenticateSas(LEAF, expired).succeeded()).isFalse();
        assertThat(authenticator.authenticateSas(LEAF, "not a token").succeeded()).isFalse();
        assertThat(authenticator.authenticateSas(LEAF, token(LEAF, LEAF_KEY)).succeeded()).isTrue();
        assertThat(authenticator.authenticateSas(LEAF, token(LEAF, CHILD_KEY), List.of("leaf", "child")).succeeded())
                .isTrue();
        assertThat(missed).isEmpty();
    }

    private static String token(IdentityId audience, String key) {
        return SasTokenFactory.create(HUB, audience, key, IN_AN_HOUR);
    }

}
