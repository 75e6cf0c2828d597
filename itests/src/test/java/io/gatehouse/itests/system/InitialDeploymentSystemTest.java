package io.gatehouse.itests.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Routes changed through {@code etc/deployment.json} (GATEHOUSE_DEPLOYMENT): applied at the next
 * start when the file changed, and nothing stored under the old routes is lost; a deployment made
 * through the API survives a restart while the file stays the same.
 */
class InitialDeploymentSystemTest {
    @TempDir
    Path dir;

    private static String routeTo(String input) {
        return OperatorCli.manifest(List.of(OperatorCli.Route.of("toSink",
                "FROM /messages/* WHERE NOT is_defined($connectionModuleId) INTO BrokeredEndpoint(\"/modules/sink/inputs/"
                        + input + "\")")));
    }

    @Test
    void aChangedDeploymentFileAppliesAtStartAndTheOldQueueStillDrains() throws Exception {
        Path file = dir.resolve("deployment.json");
        Files.writeString(file, routeTo("first"), StandardCharsets.UTF_8);
        try (GatehouseProcess gatehouse = new GatehouseProcess(dir)) {
            gatehouse.putEnvironment("GATEHOUSE_DEPLOYMENT", file.toString());
            gatehouse.start();
            String deviceKey = OperatorCli.addIdentity(gatehouse, "dev1");
            String moduleKey = OperatorCli.addIdentity(gatehouse, "edge1/sink");
            publish(gatehouse, deviceKey, "first-", 20);

            gatehouse.stop();
            Files.writeString(file, routeTo("second"), StandardCharsets.UTF_8);
            gatehouse.start();
            publish(gatehouse, deviceKey, "second-", 20);
            assertThat(OperatorCli.queues(gatehouse)).containsKeys(
                    OperatorCli.key("edge1/sink/first", 2_000_000_000L), OperatorCli.key("edge1/sink/second", 2_000_000_000L));

            // an operator's deployment through the API is kept over a restart: the file did not change
            OperatorCli.deploy(gatehouse, dir, "api", List.of(OperatorCli.Route.of("toThird",
                    "FROM /messages/* INTO BrokeredEndpoint(\"/modules/sink/inputs/third\")")));
            gatehouse.stop();
            gatehouse.start();
            publish(gatehouse, deviceKey, "third-", 5);

            List<String> received = new ArrayList<>();
            try (HubClient module = HubClient.connect(gatehouse.mqttPort(), "edge1/sink", moduleKey)) {
                module.mqtt.subscribe("devices/edge1/modules/sink/inputs/#", 1);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (received.size() < 45 && System.nanoTime() < deadline) {
                    HubClient.Received r = module.received.poll(1, TimeUnit.SECONDS);
                    if (r != null) received.add(r.topic().split("/")[5] + ":" + r.body());
                }
            }
            for (int i = 0; i < 20; i++) {
                assertThat(received).contains("first:first-" + i, "second:second-" + i);
            }
            for (int i = 0; i < 5; i++) assertThat(received).contains("third:third-" + i);
            assertThat(received).hasSize(45);
        }
    }

    private static void publish(GatehouseProcess gatehouse, String key, String prefix, int count) throws Exception {
        try (HubClient device = HubClient.connect(gatehouse.mqttPort(), "dev1", key)) {
            for (int i = 0; i < count; i++) {
                device.mqtt.publish("devices/dev1/messages/events/", (prefix + i).getBytes(StandardCharsets.UTF_8), 1, false);
            }
        }
    }
}
