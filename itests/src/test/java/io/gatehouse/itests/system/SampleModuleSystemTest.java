package io.gatehouse.itests.system;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded default run: the shipped etc/deployment.json makes the agent start the sample
 * temperature sensor, a process module built on the Azure IoT device SDK that connects with
 * {@code ModuleClient.createFromEnvironment} over TLS from the environment the agent gave it and
 * nothing else, and its telemetry is routed to the module input the quickstart watches.
 */
class SampleModuleSystemTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void theShippedDeploymentRunsTheSdkSampleAndRoutesItsTelemetry() throws Exception {
        try (GatehouseProcess gatehouse = new GatehouseProcess(dir)) {
            gatehouse.putEnvironment("GATEHOUSE_DEPLOYMENT", GatehouseProcess.HOME.resolve("etc/deployment.json").toString());
            // the SDK connects to port 8883 of its GatewayHostName, whatever else is configured
            gatehouse.putEnvironment("GATEHOUSE_MQTT_TLS_PORT", "8883");
            gatehouse.start();
            String sinkKey = OperatorCli.addIdentity(gatehouse, "edge1/sink");

            List<JsonNode> bodies = new ArrayList<>();
            List<String> topics = new ArrayList<>();
            try (HubClient sink = HubClient.connect(gatehouse.mqttPort(), "edge1/sink", sinkKey)) {
                sink.mqtt.subscribe("devices/edge1/modules/sink/inputs/#", 1);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                while (bodies.size() < 3 && System.nanoTime() < deadline) {
                    HubClient.Received r = sink.received.poll(1, TimeUnit.SECONDS);
                    if (r == null) continue;
                    topics.add(r.topic());
                    bodies.add(JSON.readTree(r.body()));
                }
            }
            if (bodies.size() < 3) {
                // what the sample printed says why (it needs port 8883 to itself: no other gateway may hold it)
                throw new AssertionError("telemetry from the sample within 90 s: " + bodies.size() + "; agent: "
                        + ManagementApi.get(gatehouse, "/api/agent").path("modules") + "; sample's log: "
                        + gatehouse.cli("logs", "tempSensor", "--tail", "30").out());
            }
            for (JsonNode body : bodies) {
                assertThat(body.path("machine").path("temperature").isNumber()).as(body.toString()).isTrue();
                assertThat(body.path("ambient").path("humidity").isNumber()).as(body.toString()).isTrue();
            }
            // the hub, not the module, says who sent it: the identity the agent registered for it
            assertThat(topics).allSatisfy(t -> assertThat(t)
                    .startsWith("devices/edge1/modules/sink/inputs/telemetry/")
                    .contains("%24.cmid=tempSensor").contains("%24.ct=application%2Fjson"));

            JsonNode sensor = ManagementApi.get(gatehouse, "/api/agent").path("modules").path("tempSensor");
            assertThat(sensor.path("runtimeStatus").asText()).isEqualTo("running");
            assertThat(sensor.path("restartCount").asInt()).isZero();
            assertThat(gatehouse.cli("identity", "list").out()).contains("tempSensor");
        }
    }
}
