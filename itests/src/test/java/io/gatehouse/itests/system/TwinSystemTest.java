package io.gatehouse.itests.system;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Twins on a gateway with no upstream (root mode), as a module built on any IoT Hub SDK uses them
 * over MQTT: it reads its twin, reports properties (answered 204 with the new $version), and gets
 * desired patches live, from a deployment's module twin and from the operator's API; everything
 * survives a restart.
 */
class TwinSystemTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MODULE = "edge1/filter";

    @TempDir
    Path dir;

    @Test
    void aModuleReadsReportsAndReceivesItsTwinAndItSurvivesARestart() throws Exception {
        try (GatehouseProcess gatehouse = new GatehouseProcess(dir)) {
            gatehouse.start();
            String key = OperatorCli.addIdentity(gatehouse, MODULE);
            try (HubClient module = HubClient.connect(gatehouse.mqttPort(), MODULE, key)) {
                module.mqtt.subscribe("$iothub/twin/res/#", 0);
                module.mqtt.subscribe("$iothub/twin/PATCH/properties/desired/#", 0);

                module.mqtt.publish("$iothub/twin/GET/?$rid=1", new byte[0], 1, false);
                HubClient.Received got = next(module, "$iothub/twin/res/");
                assertThat(got.topic()).isEqualTo("$iothub/twin/res/200/?$rid=1");
                assertThat(JSON.readTree(got.body()).path("desired").path("$version").asLong()).isEqualTo(1);

                module.mqtt.publish("$iothub/twin/PATCH/properties/reported/?$rid=2",
                        "{\"status\":\"filtering\",\"rate\":5}".getBytes(StandardCharsets.UTF_8), 1, false);
                assertThat(next(module, "$iothub/twin/res/").topic()).isEqualTo("$iothub/twin/res/204/?$rid=2&$version=2");

                module.mqtt.publish("$iothub/twin/PATCH/properties/reported/?$rid=3",
                        "{\"bad.name\":1}".getBytes(StandardCharsets.UTF_8), 1, false);
                HubClient.Received refused = next(module, "$iothub/twin/res/");
                assertThat(refused.topic()).isEqualTo("$iothub/twin/res/400/?$rid=3");
                assertThat(refused.body()).contains("bad.name");

                // a deployment's module twin becomes the module's desired properties, pushed at once
                ObjectNode manifest = (ObjectNode) JSON.readTree(OperatorCli.manifest(List.of()));
                ((ObjectNode) manifest.get("modulesContent")).putObject("filter").putObject("properties.desired")
                        .put("threshold", 5);
                OperatorCli.deploy(gatehouse, dir, "twin", manifest.toString());
                HubClient.Received desired = next(module, "$iothub/twin/PATCH/properties/desired/");
                assertThat(desired.topic()).isEqualTo("$iothub/twin/PATCH/properties/desired/?$version=2");
                assertThat(JSON.readTree(desired.body())).isEqualTo(JSON.readTree("{\"threshold\":5,\"$version\":2}"));

                // and so does the operator's patch through the API
                HttpResponse<String> patched = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + gatehouse.httpPort() + "/api/twins/edge1/modules/filter"))
                        .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"properties\":{\"desired\":{\"threshold\":9}}}"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertThat(patched.statusCode()).as(patched.body()).isEqualTo(200);
                assertThat(JSON.readTree(next(module, "$iothub/twin/PATCH/properties/desired/").body()).path("threshold")
                        .asInt()).isEqualTo(9);
            }

            gatehouse.stop();
            gatehouse.start();
            JsonNode twin = ManagementApi.get(gatehouse, "/api/twins/edge1/modules/filter").path("properties");
            assertThat(twin.path("desired").path("threshold").asInt()).isEqualTo(9);
            assertThat(twin.path("desired").path("$version").asLong()).isEqualTo(3);
            assertThat(twin.path("reported").path("status").asText()).isEqualTo("filtering");
            assertThat(twin.path("reported").path("$version").asLong()).isEqualTo(2);
        }
    }

    private static HubClient.Received next(HubClient client, String topicPrefix) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            HubClient.Received r = client.received.poll(100, TimeUnit.MILLISECONDS);
            if (r != null && r.topic().startsWith(topicPrefix)) return r;
        }
        throw new AssertionError("nothing on " + topicPrefix + " within 15 s");
    }
}
