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
 * The agent in the assembled distribution, run as a process and driven through bin/gatehouse:
 * process modules deployed by startupOrder, a crashing one restarted at the backoff times and
 * given up, desired stopped honoured, refused manifests changing nothing, list / logs / restart,
 * and the last deployment started again after a restart with no deployment sent.
 */
class AgentSystemTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** A manifest of process modules running {@code sh -c script}: name, status, policy, startupOrder, script. */
    private static String manifest(String schemaVersion, String[]... modules) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode content = root.putObject("modulesContent");
        ObjectNode agent = content.putObject("$edgeAgent").putObject("properties.desired");
        agent.put("schemaVersion", schemaVersion);
        agent.putObject("systemModules");
        ObjectNode table = agent.putObject("modules");
        for (String[] m : modules) {
            ObjectNode module = table.putObject(m[0]);
            module.put("type", "process").put("status", m[1]).put("restartPolicy", m[2]).put("version", "1.0")
                    .put("startupOrder", Long.parseLong(m[3]));
            module.putObject("settings").putArray("command").add("sh").add("-c").add(m[4]);
        }
        ObjectNode hub = content.putObject("$edgeHub").putObject("properties.desired");
        hub.put("schemaVersion", "1.1").putObject("routes");
        hub.putObject("storeAndForwardConfiguration").put("timeToLiveSecs", 7200);
        return root.toPrettyString();
    }

    private static JsonNode awaitAgent(GatehouseProcess gatehouse, Predicate<JsonNode> condition, String what)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = ManagementApi.get(gatehouse, "/api/agent");
            if (condition.test(last)) return last;
            Thread.sleep(100);
        }
        throw new AssertionError("timed out waiting for " + what + "; the agent reported " + last);
    }

    private static Predicate<JsonNode> status(String module, String runtimeStatus) {
        return r -> runtimeStatus.equals(r.path("modules").path(module).path("runtimeStatus").asText());
    }

    private GatehouseProcess.CliResult deploy(GatehouseProcess gatehouse, String name, String manifest) throws Exception {
        Path file = dir.resolve(name + ".json");
        Files.writeString(file, manifest, StandardCharsets.UTF_8);
        return gatehouse.cli("deploy", file.toString());
    }

    @Test
    void processModulesAreDeployedSupervisedAndStartedAgainAfterARestart() throws Exception {
        try (GatehouseProcess gatehouse = new GatehouseProcess(dir)) {
            gatehouse.putEnvironment("GATEHOUSE_AGENT_COOLOFF_SECS", "0.2");
            gatehouse.putEnvironment("GATEHOUSE_AGENT_MAX_COOLOFF_SECS", "1");
            gatehouse.putEnvironment("GATEHOUSE_AGENT_MAX_RESTARTS", "3");
            gatehouse.start();
            String good = manifest("1.1",
                    new String[] {"ticker", "running", "always", "1", "while true; do echo tick $IOTEDGE_MODULEID; sleep 0.2; done"},
                    new String[] {"crasher", "running", "on-failure", "0", "echo crashing; exit 3"},
                    new String[] {"parked", "stopped", "always", "2", "exec sleep 600"});
            GatehouseProcess.CliResult deployed = deploy(gatehouse, "good", good);
            assertThat(deployed.exitCode()).as(deployed.err()).isZero();

            JsonNode settled = awaitAgent(gatehouse, r -> status("ticker", "running").test(r)
                    && status("crasher", "failed").test(r) && status("parked", "stopped").test(r), "modules settled");
            JsonNode crasher = settled.path("modules").path("crasher");
            assertThat(crasher.path("restartCount").asInt()).isEqualTo(3);
            assertThat(crasher.path("exitCode").asInt()).isEqualTo(3);
            assertThat(settled.path("modules").path("parked").has("lastStartTimeUtc")).isFalse();
            assertThat(gatehouse.cli("identity", "list").out()).contains("ticker", "crasher", "parked");

            GatehouseProcess.CliResult list = gatehouse.cli("list");
            assertThat(list.exitCode()).as(list.err()).isZero();
            assertThat(list.out()).containsPattern("ticker\\s+running\\s+Up ")
                    .containsPattern("crasher\\s+failed\\s+Failed \\(3\\)")
                    .containsPattern("parked\\s+stopped");
            GatehouseProcess.CliResult logs = gatehouse.cli("logs", "ticker", "--tail", "2");
            assertThat(logs.out().lines().toList()).containsExactly("tick ticker", "tick ticker");
            assertThat(gatehouse.cli("logs", "ghost").exitCode()).isNotZero();

            GatehouseProcess.CliResult restart = gatehouse.cli("restart", "ticker");
            assertThat(restart.out()).contains("restarted ticker");
            JsonNode restarted = awaitAgent(gatehouse, status("ticker", "running"), "ticker running after restart");
            String startedAt = restarted.path("modules").path("ticker").path("lastStartTimeUtc").asText();
            assertThat(startedAt).isNotEqualTo(settled.path("modules").path("ticker").path("lastStartTimeUtc").asText());

            // Refused manifests: 412, 417 and 400 change nothing that runs.
            assertThat(deploy(gatehouse, "v2", good.replace("\"1.1\"", "\"2.0\"")).out() + "").doesNotContain("accepted");
            JsonNode answer412 = post(gatehouse, good.replaceFirst("\"schemaVersion\" : \"1.1\"", "\"schemaVersion\" : \"2.0\""));
            assertThat(answer412.path("status").asInt()).isEqualTo(412);
            JsonNode answer417 = post(gatehouse, "{\"modulesContent\":{\"$edgeAgent\":{\"properties.desired\":{}},"
                    + "\"$edgeHub\":{\"properties.desired\":{\"schemaVersion\":\"1.1\",\"routes\":{},"
                    + "\"storeAndForwardConfiguration\":{\"timeToLiveSecs\":7200}}}}}");
            assertThat(answer417.path("status").asInt()).isEqualTo(417);
            JsonNode answer400 = post(gatehouse, good.replace("\"process\"", "\"vm\""));
            assertThat(answer400.path("status").asInt()).isEqualTo(400);
            Thread.sleep(500);
            JsonNode after = ManagementApi.get(gatehouse, "/api/agent");
            assertThat(after.path("modules").path("ticker").path("lastStartTimeUtc").asText()).isEqualTo(startedAt);
            assertThat(after.path("modules").path("ticker").path("runtimeStatus").asText()).isEqualTo("running");

            // The gateway restarts with no uplink and nobody deploying: the stored deployment runs again.
            gatehouse.stop();
            gatehouse.start();
            JsonNode again = awaitAgent(gatehouse, status("ticker", "running"), "ticker running after the gateway restart");
            assertThat(again.path("modules").path("ticker").path("lastStartTimeUtc").asText()).isNotEqualTo(startedAt);
            assertThat(again.path("modules").path("parked").path("runtimeStatus").asText()).isEqualTo("stopped");
        }
    }

    private static JsonNode post(GatehouseProcess gatehouse, String manifest) throws Exception {
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + gatehouse.httpPort()
                        + "/api/deployment")).POST(java.net.http.HttpRequest.BodyPublishers.ofString(manifest)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body());
    }
}
