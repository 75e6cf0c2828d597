package io.gatehouse.itests.system;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A container module's whole life through the agent, against the real dockerd that .ci/run
 * starts: created from a locally built image with the module's environment, running, killed from
 * outside and restarted by its policy, stopped as desired, and removed with its identity.
 */
class DockerModuleSystemTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MODULE = "ghItBlinker";

    @TempDir
    Path dir;

    private static String manifest(String status, boolean withModule) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode content = root.putObject("modulesContent");
        ObjectNode agent = content.putObject("$edgeAgent").putObject("properties.desired");
        agent.put("schemaVersion", "1.1");
        agent.putObject("runtime").put("type", "docker").putObject("settings");
        agent.putObject("systemModules");
        ObjectNode modules = agent.putObject("modules");
        if (withModule) {
            ObjectNode m = modules.putObject(MODULE);
            m.put("type", "docker").put("status", status).put("restartPolicy", "always").put("version", "1.0")
                    .put("imagePullPolicy", "never");
            m.putObject("env").putObject("GREETING").put("value", "hello");
            m.putObject("settings").put("image", DockerCli.IMAGE)
                    .put("createOptions", "{\"Cmd\":[\"sh\",\"-c\",\"echo $GREETING $IOTEDGE_MODULEID; exec sleep 600\"]}");
        }
        ObjectNode hub = content.putObject("$edgeHub").putObject("properties.desired");
        hub.put("schemaVersion", "1.1").putObject("routes");
        hub.putObject("storeAndForwardConfiguration").put("timeToLiveSecs", 7200);
        return root.toString();
    }

    private void deploy(GatehouseProcess gatehouse, String name, String manifest) throws Exception {
        Path file = dir.resolve(name + ".json");
        Files.writeString(file, manifest, StandardCharsets.UTF_8);
        GatehouseProcess.CliResult r = gatehouse.cli("deploy", file.toString());
        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
    }

    private static JsonNode await(GatehouseProcess gatehouse, Predicate<JsonNode> module, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = ManagementApi.get(gatehouse, "/api/agent").path("modules").path(MODULE);
            if (module.test(last)) return last;
            Thread.sleep(100);
        }
        throw new AssertionError("timed out waiting for " + what + "; the agent reported " + last);
    }

    @Test
    void aContainerModuleIsCreatedRestartedStoppedAndRemoved() throws Exception {
        DockerCli.requireEngine();
        DockerCli.ensureImage(dir);
        DockerCli.run("docker", "rm", "-f", MODULE);
        try (GatehouseProcess gatehouse = new GatehouseProcess(dir)) {
            gatehouse.putEnvironment("GATEHOUSE_AGENT_COOLOFF_SECS", "0.5");
            // sleep as the container's pid 1 ignores SIGTERM: each stop waits this long for the kill
            gatehouse.putEnvironment("GATEHOUSE_AGENT_STOP_TIMEOUT_SECS", "2");
            gatehouse.start();

            deploy(gatehouse, "running", manifest("running", true));
            JsonNode running = await(gatehouse, m -> m.path("runtimeStatus").asText().equals("running"), "running");
            assertThat(DockerCli.inspect(MODULE, "{{.State.Status}}")).isEqualTo("running");
            assertThat(DockerCli.inspect(MODULE, "{{index .Config.Labels \"net.azure-devices.edge.owner\"}}"))
                    .isEqualTo("gatehouse");
            assertThat(DockerCli.inspect(MODULE, "{{range .Config.Env}}{{println .}}{{end}}"))
                    .contains("IOTEDGE_MODULEID=" + MODULE, "GREETING=hello")
                    .containsPattern("EdgeHubConnectionString=HostName=[^;]+;GatewayHostName=[^;]+;DeviceId=edge1;ModuleId=" + MODULE);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            GatehouseProcess.CliResult logs;
            do {
                logs = gatehouse.cli("logs", MODULE);
            } while (!logs.out().contains("hello " + MODULE) && System.nanoTime() < deadline);
            assertThat(logs.out()).contains("hello " + MODULE);

            // killed from outside: the exit event wakes the agent, the policy restarts it after the cool-off
            DockerCli.run("docker", "kill", MODULE);
            JsonNode restarted = await(gatehouse, m -> m.path("runtimeStatus").asText().equals("running")
                    && m.path("restartCount").asInt() == 1, "restarted by its policy");
            assertThat(restarted.path("lastStartTimeUtc").asText()).isNotEqualTo(running.path("lastStartTimeUtc").asText());
            assertThat(java.time.Instant.parse(restarted.path("lastExitTimeUtc").asText()))
                    .isAfter(java.time.Instant.parse(running.path("lastStartTimeUtc").asText()));

            deploy(gatehouse, "stopped", manifest("stopped", true));
            await(gatehouse, m -> m.path("runtimeStatus").asText().equals("stopped"), "stopped as desired");
            assertThat(DockerCli.inspect(MODULE, "{{.State.Status}}")).isEqualTo("exited");

            deploy(gatehouse, "removed", manifest("running", false));
            await(gatehouse, JsonNode::isMissingNode, "removed");
            assertThat(DockerCli.inspect(MODULE, "{{.State.Status}}")).isNull();
            assertThat(gatehouse.cli("identity", "list").out()).doesNotContain(MODULE);
        } finally {
            DockerCli.run("docker", "rm", "-f", MODULE);
        }
    }
}
