package io.gatehouse.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.api.deployment.InvalidConfigurationException;
import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.module.ModuleRuntime;
import io.gatehouse.api.module.NoSuchModuleException;
import io.gatehouse.supervisor.process.internal.ProcessModuleRuntime;
import io.gatehouse.supervisor.process.internal.ProcessRuntimes;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.util.converter.Converters;

/**
 * The agent component against the real process runtime, with the reference's restart numbers
 * scaled down (cool-off unit 0.2 s, cap 0.8 s, 3 restarts).
 */
class EdgeAgentTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LONG_RUNNING = "exec sleep 60";

    @TempDir
    Path dir;

    private final InMemoryIdentityRegistry registry = new InMemoryIdentityRegistry();
    private final List<EdgeAgent> agents = new ArrayList<>();
    private final List<ProcessModuleRuntime> runtimes = new ArrayList<>();
    private RecordingRuntime runtime;

    @AfterEach
    void stopAll() throws Exception {
        for (EdgeAgent a : agents) a.deactivate();
        for (ProcessModuleRuntime r : runtimes) ProcessRuntimes.stop(r);
    }

    private EdgeAgent agent(Map<String, Object> overrides) {
        Map<String, Object> config = new HashMap<>(Map.of("stateDirectory", dir.resolve("agent").toString(),
                "reconcileIntervalSecs", 0.2, "coolOffTimeUnitSecs", 0.2, "maxCoolOffSecs", 0.8,
                "maxRestartCount", 3, "stopTimeoutSecs", 2));
        config.putAll(overrides);
        EdgeAgent agent = new EdgeAgent();
        agent.identityRegistry = registry;
        agent.activate(Converters.standardConverter().convert(config).to(EdgeAgent.Config.class));
        ProcessModuleRuntime process = ProcessRuntimes.start(dir.resolve("logs"), agent);
        runtimes.add(process);
        runtime = new RecordingRuntime(process);
        agent.bindRuntime(runtime, Map.of(ModuleRuntime.TYPE_PROPERTY, "process"));
        agents.add(agent);
        return agent;
    }

    private static JsonNode reported(EdgeAgent agent) throws Exception {
        return JSON.readTree(agent.reportedProperties());
    }

    private static JsonNode awaitReported(EdgeAgent agent, Predicate<JsonNode> condition, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = reported(agent);
            if (condition.test(last)) return last;
            Thread.sleep(25);
        }
        throw new AssertionError("timed out waiting for " + what + "; last reported: " + last);
    }

    private static Predicate<JsonNode> status(String module, String runtimeStatus) {
        return r -> runtimeStatus.equals(r.path("modules").path(module).path("runtimeStatus").asText());
    }

    @Test
    void aCrashingModuleIsRestartedAtTheBackoffTimesThenGivenUp() throws Exception {
        EdgeAgent agent = agent(Map.of());
        agent.apply(new Manifests().shell("crasher", "running", "always", -1, "exit 3").json());

        JsonNode failed = awaitReported(agent, status("crasher", "failed"), "crasher given up");
        JsonNode crasher = failed.path("modules").path("crasher");
        assertThat(crasher.path("restartCount").asInt()).isEqualTo(3);
        assertThat(crasher.path("exitCode").asInt()).isEqualTo(3);
        assertThat(crasher.path("statusDescription").asText()).contains("gave up");
        // 1 start + 3 restarts, each restart a stop and a start
        assertThat(runtime.calls.stream().filter(c -> c.equals("start:crasher"))).hasSize(4);

        // Given up: no further start however long we wait, and the report stays failed.
        Thread.sleep(1_500);
        assertThat(runtime.calls.stream().filter(c -> c.equals("start:crasher"))).hasSize(4);
        assertThat(reported(agent).path("modules").path("crasher").path("runtimeStatus").asText()).isEqualTo("failed");
    }

    @Test
    void restartsWaitAtLeastTheDoublingCoolOff() throws Exception {
        EdgeAgent agent = agent(Map.of());
        agent.apply(new Manifests().shell("crasher", "running", "always", -1, "exit 1").json());
        awaitReported(agent, status("crasher", "failed"), "crasher given up");
        List<Long> starts = runtime.startNanos;
        assertThat(starts).hasSize(4);
        // restart n waits for min(0.2 s × 2^(n-1), 0.8 s) after the exit that follows start n
        long[] coolOffMillis = {200, 400, 800};
        for (int n = 0; n < 3; n++) {
            assertThat(Duration.ofNanos(starts.get(n + 1) - starts.get(n)).toMillis())
                    .as("gap before restart %d", n + 1).isGreaterThanOrEqualTo(coolOffMillis[n]);
        }
        JsonNode m = reported(agent).path("modules").path("crasher");
        assertThat(Instant.parse(m.path("lastExitTimeUtc").asText()))
                .isAfterOrEqualTo(Instant.parse(m.path("lastRestartTimeUtc").asText()));
    }

    @Test
    void desiredStoppedAndRunningAreHonoured() throws Exception {
        EdgeAgent agent = agent(Map.of());
        agent.apply(new Manifests().shell("m", "running", "always", -1, LONG_RUNNING).version(1).json());
        awaitReported(agent, status("m", "running"), "m running");

        agent.apply(new Manifests().shell("m", "stopped", "always", -1, LONG_RUNNING).version(2).json());
        JsonNode stopped = awaitReported(agent, status("m", "stopped"), "m stopped");
        assertThat(stopped.path("modules").path("m").path("status").asText()).isEqualTo("stopped");
        Thread.sleep(600); // several passes: the policy 'always' must not start a module desired stopped
        assertThat(reported(agent).path("modules").path("m").path("runtimeStatus").asText()).isEqualTo("stopped");
        assertThat(runtime.calls).doesNotContain("remove:m").containsOnlyOnce("create:m");

        agent.apply(new Manifests().shell("m", "running", "always", -1, LONG_RUNNING).version(3).json());
        awaitReported(agent, status("m", "running"), "m running again");
        assertThat(runtime.calls).containsOnlyOnce("create:m");

        // a module deployed desired stopped is created, never started, and reported stopped
        agent.apply(new Manifests().shell("m", "running", "always", -1, LONG_RUNNING)
                .shell("parked", "stopped", "always", -1, LONG_RUNNING).version(4).json());
        JsonNode parked = awaitReported(agent, status("parked", "stopped"), "parked created and stopped");
        assertThat(runtime.calls).contains("create:parked").doesNotContain("start:parked");
        assertThat(parked.path("modules").path("parked").has("lastStartTimeUtc")).isFalse();
        assertThat(parked.path("deployments").path("history").findValuesAsText("outcome"))
                .containsExactly("superseded", "superseded", "superseded", "pending");
    }

    @Test
    void startupOrderGroupsAreProcessedInAscendingOrder() throws Exception {
        EdgeAgent agent = agent(Map.of());
        agent.apply(new Manifests()
                .shell("last", "running", "always", -1, LONG_RUNNING)
                .shell("second", "running", "always", 5, LONG_RUNNING)
                .shell("first", "running", "always", 0, LONG_RUNNING)
                .shell("third", "running", "always", 7, LONG_RUNNING).json());
        awaitReported(agent, r -> List.of("first", "second", "third", "last").stream()
                .allMatch(n -> status(n, "running").test(r)), "all running");
        assertThat(runtime.calls.stream().filter(c -> c.startsWith("start:")))
                .containsExactly("start:first", "start:second", "start:third", "start:last");
    }

    @Test
    void refusedManifestsLeaveRunningModulesUntouched() throws Exception {
        EdgeAgent agent = agent(Map.of());
        String good = new Manifests().shell("m", "running", "always", -1, LONG_RUNNING).json();
        agent.apply(good);
        JsonNode before = awaitReported(agent, status("m", "running"), "m running");
        List<String> callsBefore = List.copyOf(runtime.calls);

        assertRefused(agent, "{\"schemaVersion\": \"1.1\", \"modules\": ", 400);
        assertRefused(agent, "{\"schemaVersion\": \"2.0\", \"systemModules\": {}, \"modules\": {}}", 412);
        assertRefused(agent, "{}", 417);
        assertRefused(agent, good.replace("\"process\"", "\"vm\""), 400);

        Thread.sleep(600);
        JsonNode after = reported(agent);
        assertThat(agent.current()).isEqualTo(good);
        assertThat(after.path("modules").path("m").path("lastStartTimeUtc"))
                .isEqualTo(before.path("modules").path("m").path("lastStartTimeUtc"));
        assertThat(after.path("modules").path("m").path("runtimeStatus").asText()).isEqualTo("running");
        assertThat(runtime.calls).isEqualTo(callsBefore);
    }

    private static void assertRefused(EdgeAgent agent, String manifest, int status) {
        assertThatThrownBy(() -> agent.validate(manifest)).isInstanceOfSatisfying(InvalidConfigurationException.class,
                e -> assertThat(e.status()).isEqualTo(status));
        assertThatThrownBy(() -> agent.apply(manifest)).isInstanceOfSatisfying(InvalidConfigurationException.class,
                e -> assertThat(e.status()).isEqualTo(status));
    }

    @Test
    void modulesGetTheirIdentityAndEnvironmentAndLoseTheIdentityWhenRemoved() throws Exception {
        EdgeAgent agent = agent(Map.of("deviceId", "gw7", "iotHubHostName", "hub.example", "gatewayHostName", "gw7.local"));
        agent.apply(new Manifests()
                .shell("sensor", "running", "always", -1,
                        "echo \"id=$IOTEDGE_DEVICEID/$IOTEDGE_MODULEID hub=$IOTEDGE_IOTHUBHOSTNAME gw=$IOTEDGE_GATEWAYHOSTNAME"
                                + " rate=$RATE\"; echo \"$EdgeHubConnectionString\" | sed 's/SharedAccessKey=.*/KEY/'; "
                                + LONG_RUNNING)
                .env("sensor", "RATE", "5").json());
        awaitReported(agent, status("sensor", "running"), "sensor running");
        IdentityId id = IdentityId.module("gw7", "sensor");
        assertThat(registry.get(id)).isPresent();
        String key = registry.get(id).orElseThrow().primaryKey();
        assertThat(runtime.specs.get(0).environment())
                .containsEntry("EdgeHubConnectionString", "HostName=hub.example;GatewayHostName=gw7.local;DeviceId=gw7;"
                        + "ModuleId=sensor;SharedAccessKey=" + key)
                .containsKey("IOTEDGE_MODULEGENERATIONID");
        List<String> lines = awaitLogs(agent, "sensor", 2);
        assertThat(lines).containsExactly("id=gw7/sensor hub=hub.example gw=gw7.local rate=5",
                "HostName=hub.example;GatewayHostName=gw7.local;DeviceId=gw7;ModuleId=sensor;KEY");
        assertThat(reported(agent).toString()).doesNotContain(key);

        agent.apply(new Manifests().shell("other", "running", "always", -1, LONG_RUNNING).json());
        awaitReported(agent, r -> r.path("modules").path("sensor").isMissingNode() && status("other", "running").test(r),
                "sensor removed");
        assertThat(registry.get(id)).isEmpty();
        assertThat(runtime.calls).contains("stop:sensor", "remove:sensor");
    }

    private static List<String> awaitLogs(EdgeAgent agent, String module, int lines) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        List<String> logs = List.of();
        while (System.nanoTime() < deadline) {
            logs = agent.logs(module, 100);
            if (logs.size() >= lines) return logs;
            Thread.sleep(25);
        }
        return logs;
    }

    @Test
    void aRestartedGatewayStartsItsLastDeploymentFromLocalState() throws Exception {
        EdgeAgent first = agent(Map.of());
        String manifest = new Manifests().shell("m", "running", "always", -1, LONG_RUNNING).json();
        first.apply(manifest);
        awaitReported(first, status("m", "running"), "m running");
        // the gateway goes down: agent and runtime stop, the runtime's processes with it
        first.deactivate();
        agents.remove(first);
        ProcessRuntimes.stop(runtimes.remove(0));

        EdgeAgent second = agent(Map.of());
        assertThat(second.current()).isEqualTo(manifest);
        awaitReported(second, status("m", "running"), "m running after the restart, with no deployment sent");
    }

    @Test
    void aFailingDeploymentIsRolledBackToTheLastGoodOne() throws Exception {
        EdgeAgent agent = agent(Map.of("rollback", "on-failure", "rollbackWindowSecs", 1.0));
        String good = new Manifests().shell("stable", "running", "always", -1, LONG_RUNNING).version(1).json();
        agent.apply(good);
        awaitReported(agent, r -> r.path("deployments").path("history").path(0).path("outcome").asText().equals("good"),
                "deployment 1 judged good");

        agent.apply(new Manifests().shell("broken", "running", "always", -1, "exit 2").version(2).json());
        JsonNode rolledBack = awaitReported(agent, r -> r.path("deployments").has("lastRollback")
                && status("stable", "running").test(r) && r.path("modules").path("broken").isMissingNode(),
                "rollback to deployment 1");
        JsonNode rollback = rolledBack.path("deployments").path("lastRollback");
        assertThat(rollback.path("fromVersion").asText()).isEqualTo("2");
        assertThat(rollback.path("toVersion").asText()).isEqualTo("1");
        assertThat(rollback.path("reason").asText()).contains("module 'broken'").contains("exit code 2");
        assertThat(agent.current()).isEqualTo(good);
        JsonNode history = rolledBack.path("deployments").path("history");
        assertThat(history.path(1).path("outcome").asText()).isEqualTo("rolled-back");
        assertThat(history.path(2).path("source").asText()).isEqualTo("rollback");
    }

    @Test
    void withoutRollbackAFailingDeploymentStaysAndIsMarkedFailed() throws Exception {
        EdgeAgent agent = agent(Map.of("rollbackWindowSecs", 1.0));
        agent.apply(new Manifests().shell("stable", "running", "always", -1, LONG_RUNNING).version(1).json());
        awaitReported(agent, r -> r.path("deployments").path("history").path(0).path("outcome").asText().equals("good"),
                "deployment 1 judged good");
        String broken = new Manifests().shell("broken", "running", "never", -1, "exit 2").version(2).json();
        agent.apply(broken);
        JsonNode failed = awaitReported(agent, r -> r.path("deployments").path("history").path(1).path("outcome")
                .asText().equals("failed"), "deployment 2 failed");
        assertThat(failed.path("deployments").has("lastRollback")).isFalse();
        assertThat(agent.current()).isEqualTo(broken);
    }

    @Test
    void logsAndRestartOfAModuleAndOfAnUnknownOne() throws Exception {
        EdgeAgent agent = agent(Map.of());
        agent.apply(new Manifests().shell("m", "running", "always", -1, "echo started; " + LONG_RUNNING).json());
        JsonNode running = awaitReported(agent, status("m", "running"), "m running");
        assertThat(awaitLogs(agent, "m", 1)).containsExactly("started");
        agent.restart("m");
        awaitReported(agent, r -> status("m", "running").test(r) && !r.path("modules").path("m").path("lastStartTimeUtc")
                .equals(running.path("modules").path("m").path("lastStartTimeUtc")), "m restarted");
        assertThat(runtime.calls).endsWith("stop:m", "start:m");
        assertThatThrownBy(() -> agent.logs("ghost", 10)).isInstanceOf(NoSuchModuleException.class)
                .hasMessageContaining("ghost");
        assertThatThrownBy(() -> agent.restart("ghost")).isInstanceOf(NoSuchModuleException.class);
    }

    @Test
    void modulesOfARuntimeThatCannotTellAreNeitherRemovedNorCreatedAgain() throws Exception {
        EdgeAgent agent = agent(Map.of());
        agent.apply(new Manifests().shell("m", "running", "always", -1, LONG_RUNNING).json());
        awaitReported(agent, status("m", "running"), "m running");
        List<String> before = List.copyOf(runtime.calls);
        // the runtime's engine stops answering: its list can no longer be told
        RecordingRuntime away = new RecordingRuntime(runtime.delegate) {
            @Override
            public List<io.gatehouse.api.module.ModuleState> modules() {
                throw new IllegalStateException("cannot reach the engine");
            }
        };
        agent.unbindRuntime(runtime, Map.of(ModuleRuntime.TYPE_PROPERTY, "process"));
        agent.bindRuntime(away, Map.of(ModuleRuntime.TYPE_PROPERTY, "process"));
        // (between unbind and bind a pass may see no process runtime at all: also "waiting")
        JsonNode waiting = awaitReported(agent, r -> status("m", "unknown").test(r) && r.path("modules").path("m")
                .path("statusDescription").asText().contains("cannot reach the engine"), "m waiting for its runtime");
        assertThat(waiting.path("lastDesiredStatus").path("code").asInt()).isEqualTo(500);
        Thread.sleep(600);
        assertThat(away.calls).isEmpty();
        assertThat(runtime.calls).isEqualTo(before);
        assertThat(runtime.delegate.module("m").orElseThrow().status()).isEqualTo(io.gatehouse.api.module.RuntimeStatus.RUNNING);
    }
}
