package io.gatehouse.auth.internal;

import static io.gatehouse.auth.internal.TestKeys.key;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.api.identity.AuthenticationResult;
import io.gatehouse.api.identity.Identity;
import io.gatehouse.api.identity.IdentityId;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A gateway connecting on behalf of the identities below it (reference §6.5). */
class AuthChainAuthenticationTest {

    private static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");
    private static final long IN_AN_HOUR = NOW.getEpochSecond() + 3600;
    private static final String HUB = "gatehouse.local";

    private static final IdentityId PARENT = IdentityId.device("parent");
    private static final IdentityId CHILD = IdentityId.device("child");
    private static final IdentityId OTHER_EDGE = IdentityId.device("other-edge");
    private static final IdentityId LEAF = IdentityId.device("leaf");
    private static final IdentityId SENSOR = IdentityId.device("sensor");
    private static final IdentityId PLAIN = IdentityId.device("plain");
    private static final IdentityId LEAF_MODULE = IdentityId.module("leaf", "filter");
    private static final IdentityId CHILD_MODULE = IdentityId.module("child", "registered");

    private static final String PARENT_KEY = key(1);
    private static final String PARENT_SECONDARY = key(2);
    private static final String CHILD_KEY = key(3);
    private static final String LEAF_KEY = key(4);
    private static final String OTHER_KEY = key(5);

    @TempDir
    Path directory;

    private FileIdentityRegistry registry;
    private SasTokenAuthenticator authenticator;
    private final List<String> secrets = new ArrayList<>();

    /** parent (edge) ← child (edge) ← leaf (+ leaf/filter); parent ← other-edge, sensor; plain stands alone. */
    @BeforeEach
    void setUp() throws Exception {
        registry = new FileIdentityRegistry(Configs.registry(directory));
        registry.add(new Identity(PARENT, PARENT_KEY, PARENT_SECONDARY, true, null));
        registry.add(new Identity(CHILD, CHILD_KEY, null, true, "parent"));
        registry.add(new Identity(OTHER_EDGE, OTHER_KEY, null, true, "parent"));
        registry.add(new Identity(LEAF, LEAF_KEY, null, false, "child"));
        registry.add(new Identity(SENSOR, null, null, false, "parent"));
        registry.add(new Identity(PLAIN, null, null, false, null));
        registry.add(new Identity(LEAF_MODULE, null, null));
        registry.add(new Identity(CHILD_MODULE, null, null));
        authenticator = new SasTokenAuthenticator(registry, Configs.hub(), Clock.fixed(NOW, ZoneOffset.UTC));
        registry.list().forEach(identity -> {
            secrets.add(identity.primaryKey());
            secrets.add(identity.secondaryKey());
        });
    }

    private static String token(IdentityId audience, String key) {
        return SasTokenFactory.create(HUB, audience, key, IN_AN_HOUR);
    }

    @Test
    void acceptsAChildActingForItsLeaf() {
        assertAccepted(LEAF, token(LEAF, CHILD_KEY), "leaf", "child");
    }

    @Test
    void acceptsAParentActingForALeafOfItsChild() {
        assertAccepted(LEAF, token(LEAF, PARENT_KEY), "leaf", "child", "parent");
        assertAccepted(LEAF, token(LEAF, PARENT_SECONDARY), "leaf", "child", "parent");
    }

    @Test
    void acceptsAParentActingForAChildEdgeDevice() {
        assertAccepted(CHILD, token(CHILD, PARENT_KEY), "child", "parent");
    }

    @Test
    void refusesATokenSignedByTheTargetWhenTheChainNamesAnotherActor() {
        assertRefused(LEAF, token(LEAF, LEAF_KEY), List.of("leaf", "child"),
                "token signature of 'leaf' matches neither the primary nor the secondary key of the actor 'child'");
        assertRefused(LEAF, token(LEAF, CHILD_KEY), List.of("leaf", "child", "parent"),
                "matches neither the primary nor the secondary key of the actor 'parent'");
    }

    @Test
    void refusesADeviceWhoseParentIsNotTheNextElement() {
        assertRefused(LEAF, token(LEAF, PARENT_KEY), List.of("leaf", "parent"),
                "auth chain of 'leaf': link from element 1 'leaf' to element 2 'parent' does not hold: "
                        + "'leaf' has parent 'child'");
        assertRefused(PLAIN, token(PLAIN, CHILD_KEY), List.of("plain", "child"),
                "link from element 1 'plain' to element 2 'child' does not hold: 'plain' has no parent");
    }

    @Test
    void refusesABrokenLinkBetweenEdgeDevices() {
        assertRefused(LEAF, token(LEAF, OTHER_KEY), List.of("leaf", "child", "other-edge"),
                "link from element 2 'child' to element 3 'other-edge' does not hold: 'child' has parent 'parent'");
        assertRefused(CHILD, token(CHILD, CHILD_KEY), List.of("child", "parent", "child"),
                "link from element 2 'parent' to element 3 'child' does not hold: 'parent' has no parent");
    }

    @Test
    void refusesAnElementThatIsNotARegisteredEdgeDevice() {
        assertRefused(LEAF, token(LEAF, LEAF_KEY), List.of("leaf", "plain"),
                "auth chain of 'leaf': element 2 'plain' is registered but is not an edge device");
        assertRefused(LEAF, token(LEAF, CHILD_KEY), List.of("leaf", "child", "ghost"),
                "element 3 'ghost' is not a registered edge device");
        assertRefused(LEAF, token(LEAF, CHILD_KEY), List.of("leaf", "child/registered"),
                "element 2 'child/registered' is a module; every element after the first must be an edge device");
    }

    @Test
    void acceptsAnUnregisteredModuleOfTheActor() {
        IdentityId edgeHub = IdentityId.module("child", "$edgeHub");
        assertThat(registry.get(edgeHub)).isEmpty();
        assertAccepted(edgeHub, token(edgeHub, CHILD_KEY), "child/$edgeHub", "child");
    }

    @Test
    void acceptsARegisteredModuleBelowTheActor() {
        assertAccepted(CHILD_MODULE, token(CHILD_MODULE, PARENT_KEY), "child/registered", "child", "parent");
    }

    @Test
    void refusesAnUnregisteredModuleOfAnyOtherDevice() {
        IdentityId unregistered = IdentityId.module("child", "ghost");
        assertRefused(unregistered, token(unregistered, PARENT_KEY), List.of("child/ghost", "child", "parent"),
                "unknown identity 'child/ghost' (not registered; only a module of the actor 'parent' may be unregistered)");
    }

    @Test
    void refusesAModuleWhoseDeviceIsNotTheNextElement() {
        assertRefused(LEAF_MODULE, token(LEAF_MODULE, CHILD_KEY), List.of("leaf/filter", "child"),
                "link from element 1 'leaf/filter' to element 2 'child' does not hold: module 'leaf/filter' belongs "
                        + "to device 'leaf'");
        IdentityId parentsModule = IdentityId.module("parent", "$edgeHub");
        assertRefused(parentsModule, token(parentsModule, CHILD_KEY), List.of("parent/$edgeHub", "child"),
                "module 'parent/$edgeHub' belongs to device 'parent'");
    }

    @Test
    void refusesAnUnregisteredDeviceTarget() {
        IdentityId ghost = IdentityId.device("ghost");
        assertRefused(ghost, token(ghost, CHILD_KEY), List.of("ghost", "child"), "unknown identity 'ghost'");
    }

    @Test
    void aChainOfOneIsTheTwoArgumentMethod() {
        assertAccepted(LEAF, token(LEAF, LEAF_KEY), "leaf");
        assertRefused(LEAF, token(LEAF, CHILD_KEY), List.of("leaf"),
                "token signature of 'leaf' matches neither its primary nor its secondary key");
    }

    @Test
    void theChainMustStartWithExactlyTheClaimedIdentity() {
        assertRefused(LEAF, token(LEAF, LEAF_KEY), List.of("LEAF"),
                "auth chain of 'leaf' starts with 'LEAF'; it must start with the claimed identity");
        assertRefused(LEAF, token(LEAF, CHILD_KEY), List.of("sensor", "child"), "starts with 'sensor'");
    }

    @Test
    void refusesAnEmptyChainOrBlankElements() {
        assertRefused(LEAF, token(LEAF, CHILD_KEY), List.of(), "empty auth chain for 'leaf'");
        assertRefused(LEAF, token(LEAF, CHILD_KEY), null, "empty auth chain for 'leaf'");
        assertRefused(LEAF, token(LEAF, CHILD_KEY), List.of("leaf", " "), "auth chain of 'leaf': element 2 is blank");
        assertRefused(LEAF, token(LEAF, CHILD_KEY), List.of("", "child"), "element 1 is blank");
        assertRefused(LEAF, token(LEAF, CHILD_KEY), Arrays.asList("leaf", null), "element 2 is blank");
    }

    @Test
    void refusesAnAbsurdlyLongChain() {
        List<String> chain = new ArrayList<>(List.of("leaf"));
        for (int i = 0; i < 40; i++) {
            chain.add("child");
        }
        assertRefused(LEAF, token(LEAF, CHILD_KEY), chain, "has 41 elements; at most 32 are accepted");
    }

    @Test
    void appliesTheUsualAudienceAndExpiryChecksToTheTarget() {
        assertRefused(LEAF, token(SENSOR, CHILD_KEY), List.of("leaf", "child"),
                "token audience names identity 'sensor', but the client claims to be 'leaf'");
        assertRefused(LEAF, token(CHILD, CHILD_KEY), List.of("leaf", "child"),
                "audience names identity 'child', but the client claims to be 'leaf'");
        assertRefused(LEAF, SasTokenFactory.create("evil.example", LEAF, CHILD_KEY, IN_AN_HOUR),
                List.of("leaf", "child"), "audience host 'evil.example' is not accepted");
        assertRefused(LEAF, SasTokenFactory.create(HUB, LEAF, CHILD_KEY, NOW.getEpochSecond() - 3600),
                List.of("leaf", "child"), "token of 'leaf' expired at 2026-11-26T09:00:00Z");
        assertRefused(LEAF, "SharedAccessSignature garbage", List.of("leaf", "child"), "malformed SAS token for 'leaf'");
    }

    @Test
    void aChildGatewayAuthenticatesItsLeavesFromTheLearnedScope() throws Exception {
        // At the middle gateway "child": nothing registered, the parent told it its scope.
        FileIdentityRegistry atChild = new FileIdentityRegistry(Configs.registry(directory.resolve("child")));
        String grandchildKey = key(20);
        String deepLeafKey = key(21);
        atChild.replaceUpstreamScope(List.of(
                new Identity(IdentityId.device("grandchild"), grandchildKey, grandchildKey, true, "child"),
                new Identity(IdentityId.device("deep-leaf"), deepLeafKey, deepLeafKey, false, "grandchild")));
        SasTokenAuthenticator childAuthenticator = new SasTokenAuthenticator(atChild, Configs.hub(),
                Clock.fixed(NOW, ZoneOffset.UTC));
        IdentityId deepLeaf = IdentityId.device("deep-leaf");

        assertThat(childAuthenticator.authenticateSas(deepLeaf, token(deepLeaf, deepLeafKey)).succeeded()).isTrue();
        assertThat(childAuthenticator.authenticateSas(deepLeaf, token(deepLeaf, grandchildKey),
                List.of("deep-leaf", "grandchild")).identity()).isEqualTo(deepLeaf);
        assertThat(childAuthenticator.authenticateSas(deepLeaf, token(deepLeaf, deepLeafKey),
                List.of("deep-leaf", "grandchild")).failureReason()).contains("of the actor 'grandchild'");
        // After a restart, still without the parent.
        FileIdentityRegistry restarted = new FileIdentityRegistry(Configs.registry(directory.resolve("child")));
        assertThat(new SasTokenAuthenticator(restarted, Configs.hub(), Clock.fixed(NOW, ZoneOffset.UTC))
                .authenticateSas(deepLeaf, token(deepLeaf, grandchildKey), List.of("deep-leaf", "grandchild"))
                .succeeded()).isTrue();
    }

    @Test
    void learnedEdgeDevicesCountAsRegisteredInALongerChain() {
        String grandchildKey = key(22);
        registry.replaceUpstreamScope(List.of(
                new Identity(IdentityId.device("grandchild"), grandchildKey, grandchildKey, true, "child"),
                new Identity(IdentityId.device("deep-leaf"), key(23), key(23), false, "grandchild")));
        IdentityId deepLeaf = IdentityId.device("deep-leaf");

        assertAccepted(deepLeaf, token(deepLeaf, CHILD_KEY), "deep-leaf", "grandchild", "child");
        assertAccepted(deepLeaf, token(deepLeaf, PARENT_KEY), "deep-leaf", "grandchild", "child", "parent");
    }

    @Test
    void failureReasonsNeverContainTheTokenSignatureOrKeys() {
        List<List<String>> chains = List.of(List.of("leaf", "child"), List.of("leaf", "parent"),
                List.of("leaf", "plain"), List.of("leaf", "child", "parent"), List.of("leaf", "child", "other-edge"));
        for (String key : List.of(LEAF_KEY, OTHER_KEY, PARENT_SECONDARY)) {
            String token = token(LEAF, key);
            String sig = token.replaceAll(".*sig=([^&]*).*", "$1");
            for (List<String> chain : chains) {
                AuthenticationResult result = authenticator.authenticateSas(LEAF, token, chain);
                if (result.succeeded()) {
                    continue;
                }
                assertThat(result.failureReason()).doesNotContain(token, sig, URLDecoder.decode(sig,
                        StandardCharsets.UTF_8), "sig=").doesNotContain(secrets);
            }
        }
    }

    @Test
    void followsRegistryChanges() {
        String token = token(LEAF, CHILD_KEY);
        assertAccepted(LEAF, token, "leaf", "child");
        registry.remove(LEAF_MODULE);
        registry.remove(LEAF);
        assertRefused(LEAF, token, List.of("leaf", "child"), "unknown identity 'leaf'");
    }

    private void assertAccepted(IdentityId claimed, String token, String... chain) {
        AuthenticationResult result = authenticator.authenticateSas(claimed, token, List.of(chain));
        assertThat(result.failureReason()).isNull();
        assertThat(result.identity()).isEqualTo(claimed);
    }

    private void assertRefused(IdentityId claimed, String token, List<String> chain, String reason) {
        AuthenticationResult result = authenticator.authenticateSas(claimed, token, chain);
        assertThat(result.succeeded()).isFalse();
        assertThat(result.identity()).isNull();
        assertThat(result.failureReason()).contains(reason).doesNotContain(secrets);
    }

}
