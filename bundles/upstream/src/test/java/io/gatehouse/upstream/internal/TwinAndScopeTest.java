package io.gatehouse.upstream.internal;

import static io.gatehouse.upstream.internal.Fixtures.await;
import static io.gatehouse.upstream.internal.Fixtures.config;
import static io.gatehouse.upstream.internal.Fixtures.mqtt;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.api.agent.EdgeAgentOperations;
import io.gatehouse.api.deployment.InvalidConfigurationException;
import io.gatehouse.api.identity.Identity;
import io.gatehouse.api.identity.IdentityId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Deployments from the parent's twins, the agent's state back, and the device scope, on Mosquitto. */
class TwinAndScopeTest {
    static final String AGENT_TWIN = """
            {"desired":{"schemaVersion":"1.1","runtime":{"type":"docker"},"modules":{"m1":{"type":"process"}},
              "$version":3,"$metadata":{"$lastUpdated":"2026-01-01T00:00:00Z"}},
             "reported":{"$version":1}}""";
    static final String HUB_TWIN = """
            {"desired":{"schemaVersion":"1.1","routes":{"up":"FROM /messages/* INTO $upstream"},"$version":2},
             "reported":{"$version":1}}""";
    static Mosquitto mosquitto;
    static Parent parent;
    private final ObjectMapper json = new ObjectMapper();
    private final List<UpstreamComponent> started = new ArrayList<>();
    @TempDir
    Path state;

    @BeforeAll
    static void startParent() throws Exception {
        mosquitto = Mosquitto.started();
        parent = Parent.connect(mosquitto.uri());
    }

    @AfterAll
    static void stopParent() throws Exception {
        if (parent != null) parent.close();
        if (mosquitto != null) mosquitto.stop();
    }

    @BeforeEach
    void resetParent() {
        parent.twinGets.set(0);
        parent.reportedPatches.clear();
        parent.agentTwin = AGENT_TWIN;
        parent.hubTwin = HUB_TWIN;
        parent.reportedStatus = 204;
        parent.scopeStatus = 200;
        parent.scopeBody = "{\"identities\":[]}";
    }

    @AfterEach
    void stopUpstreams() {
        started.forEach(UpstreamComponent::deactivate);
    }

    private UpstreamComponent upstream(String deviceId, MemoryRegistry registry, RecordingConfigurators configurators,
            Map<String, Object> extra) {
        Map<String, Object> c = mqtt(mosquitto, deviceId, state);
        c.putAll(extra);
        UpstreamComponent u = new UpstreamComponent(new MemoryStore(), registry, new HmacSigner(), config(c));
        started.add(u);
        if (configurators != null) {
            u.bindHubConfigurator(configurators.hub);
            u.bindAgentConfigurator(configurators.agent);
        }
        return u;
    }

    @Test
    void aNewDeploymentIsValidatedWholeThenAppliedHubFirstAndNotAgainAfterARestart() throws Exception {
        RecordingConfigurators configurators = new RecordingConfigurators();
        UpstreamComponent first = upstream("tw1", new MemoryRegistry(), configurators, Map.of());

        await("the deployment was applied", () -> configurators.calls.size() == 4, () -> configurators.calls);
        assertThat(configurators.verbs()).containsExactly("hub.validate", "agent.validate", "hub.apply", "agent.apply");
        JsonNode agentManifest = json.readTree(after(configurators.calls.get(3)));
        assertThat(agentManifest.has("$metadata")).isFalse();
        assertThat(agentManifest.get("$version").asInt()).as("the agent reports it as lastDesiredVersion").isEqualTo(3);
        assertThat(agentManifest.get("modules").get("m1").get("type").asText()).isEqualTo("process");
        JsonNode hubConfig = json.readTree(after(configurators.calls.get(2)));
        assertThat(hubConfig.has("$version")).isFalse();
        assertThat(hubConfig.get("routes").get("up").asText()).isEqualTo("FROM /messages/* INTO $upstream");
        await("the applied versions were recorded", () -> Files.exists(state.resolve(AppliedTwins.FILE_NAME)));
        JsonNode applied = json.readTree(Files.readString(state.resolve(AppliedTwins.FILE_NAME)));
        assertThat(applied.get("edgeAgentDesiredVersion").asLong()).isEqualTo(3);
        assertThat(applied.get("edgeHubDesiredVersion").asLong()).isEqualTo(2);

        first.deactivate();
        started.remove(first);
        int getsBefore = parent.twinGets.get();
        UpstreamComponent second = upstream("tw1", new MemoryRegistry(), configurators, Map.of());
        await("the restarted upstream read both twins", () -> parent.twinGets.get() >= getsBefore + 2);
        Thread.sleep(300);
        assertThat(configurators.calls).as("the same versions are not applied again").hasSize(4);

        // a desired patch with a new version is applied
        parent.agentTwin = AGENT_TWIN.replace("\"$version\":3", "\"$version\":4").replace("process", "docker");
        parent.desiredPatch(4, "{\"modules\":{\"m1\":{\"type\":\"docker\"}},\"$version\":4}");
        await("the new deployment was applied", () -> configurators.calls.size() == 8, () -> configurators.calls);
        assertThat(configurators.calls.get(7)).startsWith("agent.apply").contains("\"docker\"");
        assertThat(second.linkUp()).isTrue();
    }

    @Test
    void aRefusedDeploymentChangesNothingAndIsReportedAsTheLastDesiredStatus() throws Exception {
        RecordingConfigurators configurators = new RecordingConfigurators();
        configurators.agentRefusal = new InvalidConfigurationException(412, "schemaVersion 1.1 is not supported");
        upstream("tw2", new MemoryRegistry(), configurators, Map.of());

        await("the refusal was reported", () -> !parent.reportedPatches.isEmpty(), () -> configurators.calls);
        JsonNode patch = json.readTree(parent.reportedPatches.get(0));
        assertThat(patch.get("lastDesiredVersion").asLong()).isEqualTo(3);
        assertThat(patch.get("lastDesiredStatus").get("code").asInt()).isEqualTo(412);
        assertThat(patch.get("lastDesiredStatus").get("description").asText())
                .isEqualTo("schemaVersion 1.1 is not supported");
        assertThat(configurators.verbs()).containsExactly("hub.validate", "agent.validate");
        assertThat(state.resolve(AppliedTwins.FILE_NAME)).doesNotExist();
    }

    @Test
    void aDeploymentWaitsForItsConfiguratorsAndGoesWhenTheyCome() throws Exception {
        RecordingConfigurators configurators = new RecordingConfigurators();
        UpstreamComponent upstream = upstream("tw3", new MemoryRegistry(), null, Map.of());
        await("both twins were read", () -> parent.twinGets.get() >= 2);
        Thread.sleep(200);
        assertThat(configurators.calls).isEmpty();

        upstream.bindAgentConfigurator(configurators.agent);
        upstream.bindHubConfigurator(configurators.hub);
        await("the deployment was applied", () -> configurators.calls.size() == 4, () -> configurators.calls);
        assertThat(configurators.verbs()).containsExactly("hub.validate", "agent.validate", "hub.apply", "agent.apply");
    }

    @Test
    void nothingIsAppliedWhileTheAgentTwinHasNoDesiredProperties() throws Exception {
        parent.agentTwin = "{\"desired\":{\"$version\":1},\"reported\":{\"$version\":1}}";
        RecordingConfigurators configurators = new RecordingConfigurators();
        upstream("tw4", new MemoryRegistry(), configurators, Map.of());
        await("both twins were read", () -> parent.twinGets.get() >= 2);
        Thread.sleep(300);
        assertThat(configurators.calls).isEmpty();
        assertThat(parent.reportedPatches).isEmpty();
    }

    /** An agent whose reported document the test sets. */
    static final class FixedAgent implements EdgeAgentOperations {
        volatile String reported;

        @Override
        public String reportedProperties() {
            return reported;
        }

        @Override
        public List<String> logs(String module, int tail) {
            return List.of();
        }

        @Override
        public void restart(String module) {
        }
    }

    @Test
    void theAgentStateGoesUpWholeThenAsMergePatchesWithoutADeploymentsSectionTheParentWouldRefuse() throws Exception {
        parent.agentTwin = "{\"desired\":{\"$version\":1},\"reported\":{\"$version\":1}}";
        FixedAgent agent = new FixedAgent();
        agent.reported = """
                {"schemaVersion":"1.0","modules":{"m1":{"runtimeStatus":"running"}},
                 "deployments":{"history":[{"deployment.id":"d1"}]}}""";
        UpstreamComponent upstream = upstream("tw5", new MemoryRegistry(), null, Map.of());
        upstream.bindAgentOperations(agent);

        await("the whole document went up", () -> !parent.reportedPatches.isEmpty());
        assertThat(json.readTree(parent.reportedPatches.get(0))).isEqualTo(json.readTree(
                "{\"schemaVersion\":\"1.0\",\"modules\":{\"m1\":{\"runtimeStatus\":\"running\"}}}"));

        agent.reported = """
                {"schemaVersion":"1.0","modules":{"m2":{"runtimeStatus":"backoff"}},
                 "deployments":{"history":[{"deployment.id":"d2"}]}}""";
        await("the change went up", () -> parent.reportedPatches.size() >= 2);
        assertThat(json.readTree(parent.reportedPatches.get(1))).isEqualTo(json.readTree(
                "{\"modules\":{\"m1\":null,\"m2\":{\"runtimeStatus\":\"backoff\"}}}"));
        Thread.sleep(1500);
        assertThat(parent.reportedPatches).as("an unchanged document is not sent again").hasSize(2);
    }

    @Test
    void theParentsScopeReplacesTheLearnedIdentitiesAndARefusalKeepsTheCache() throws Exception {
        parent.scopeStatus = 503;
        parent.scopeBody = "{\"message\":\"registry busy\"}";
        MemoryRegistry registry = new MemoryRegistry();
        upstream("tw6", registry, null, Map.of("scopeRefreshSecs", 1));
        int before = parent.scopeRequests.get();
        await("the scope was asked for twice", () -> parent.scopeRequests.get() >= before + 2);
        assertThat(registry.scopeReplacements).as("a refused request leaves the cache alone").isEmpty();

        parent.scopeBody = """
                {"identities":[
                  {"deviceId":"leaf1","primaryKey":"cDE=","secondaryKey":"czE=","edgeDevice":false,"parentDeviceId":"tw6",
                   "x509PrimaryThumbprint":"0123456789ABCDEF0123456789ABCDEF01234567"},
                  {"deviceId":"child","primaryKey":"cDI=","secondaryKey":"czI=","edgeDevice":true,"parentDeviceId":"tw6"},
                  {"deviceId":"child","moduleId":"$edgeHub","primaryKey":"cDM=","secondaryKey":"czM=","edgeDevice":false}
                ]}""";
        parent.scopeStatus = 200;
        await("the scope was learned", () -> !registry.scopeReplacements.isEmpty());
        List<Identity> scope = registry.scopeReplacements.get(0);
        assertThat(scope).containsExactly(
                new Identity(IdentityId.device("leaf1"), "cDE=", "czE=", false, "tw6")
                        .withThumbprints("0123456789ABCDEF0123456789ABCDEF01234567", null),
                new Identity(IdentityId.device("child"), "cDI=", "czI=", true, "tw6"),
                new Identity(IdentityId.module("child", "$edgeHub"), "cDM=", "czM=", false, null));
    }

    @Test
    void authenticationMissesAskForTheScopeAgainAtMostOncePerGap() throws Exception {
        MemoryRegistry registry = new MemoryRegistry();
        UpstreamComponent upstream = upstream("tw7", registry, null, Map.of());
        AuthenticationMisses misses = new AuthenticationMisses();
        upstream.bindMisses(misses);
        await("the scope was asked for at connect", () -> upstream.linkUp() && parent.scopeRequests.get() >= 1);
        int before = parent.scopeRequests.get();
        for (int i = 0; i < 5; i++) misses.authenticationMissed(IdentityId.device("newcomer" + i));
        long deadline = System.nanoTime() + UpstreamRuntime.MISS_REFRESH_GAP.toNanos() + 5_000_000_000L;
        while (parent.scopeRequests.get() == before && System.nanoTime() < deadline) Thread.sleep(20);
        assertThat(parent.scopeRequests.get()).as("one request for the five misses").isEqualTo(before + 1);
        Thread.sleep(500);
        assertThat(parent.scopeRequests.get()).as("the misses were coalesced").isEqualTo(before + 1);
    }

    private static String after(String call) {
        return call.substring(call.indexOf(' ') + 1);
    }
}
