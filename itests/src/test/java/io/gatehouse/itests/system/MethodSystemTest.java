package io.gatehouse.itests.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Direct methods on a gateway with no upstream: the operator calls a module's method with
 * bin/gatehouse, the module (any MQTT client on the IoT Hub topics) answers with a status and a
 * payload; a module that is not connected is 404; the agent answers its own ping.
 */
class MethodSystemTest {
    private static final String MODULE = "edge1/filter";

    @TempDir
    Path dir;

    @Test
    void theOperatorCallsAModuleMethodAndTheAgentsPing() throws Exception {
        try (GatehouseProcess gatehouse = new GatehouseProcess(dir)) {
            gatehouse.start();
            String key = OperatorCli.addIdentity(gatehouse, MODULE);

            GatehouseProcess.CliResult absent = gatehouse.cli("method", "invoke", "edge1", "--module", "filter", "reset");
            assertThat(absent.exitCode()).isEqualTo(1);
            assertThat(absent.err()).contains("not connected");

            try (HubClient module = HubClient.connect(gatehouse.mqttPort(), MODULE, key)) {
                module.mqtt.subscribe("$iothub/methods/POST/#", 0);
                CompletableFuture<GatehouseProcess.CliResult> call = CompletableFuture.supplyAsync(() -> {
                    try {
                        return gatehouse.cli("method", "invoke", "edge1", "--module", "filter", "reset",
                                "--payload", "{\"level\": 3}", "--timeout", "20");
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                HubClient.Received request = module.received.poll(30, TimeUnit.SECONDS);
                assertThat(request).as("the method request").isNotNull();
                assertThat(request.topic()).startsWith("$iothub/methods/POST/reset/?$rid=");
                assertThat(request.body()).isEqualTo("{\"level\":3}");
                String rid = request.topic().substring(request.topic().indexOf("$rid=") + 5);
                module.mqtt.publish("$iothub/methods/res/200/?$rid=" + rid,
                        "{\"done\":true}".getBytes(StandardCharsets.UTF_8), 1, false);

                GatehouseProcess.CliResult answered = call.get(60, TimeUnit.SECONDS);
                assertThat(answered.exitCode()).as(answered.err()).isZero();
                assertThat(answered.out()).startsWith("status 200").contains("\"done\": true");
            }

            GatehouseProcess.CliResult ping = gatehouse.cli("method", "invoke", "edge1", "--module", "$edgeAgent", "ping");
            assertThat(ping.exitCode()).as(ping.err()).isZero();
            assertThat(ping.out()).startsWith("status 200");
        }
    }
}
