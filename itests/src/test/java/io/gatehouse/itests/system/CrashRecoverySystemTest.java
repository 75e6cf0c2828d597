package io.gatehouse.itests.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Invariant 1 end to end: the gateway is killed with SIGKILL while a device publishes and a
 * module receives; after a restart on the same data, every message the device saw acknowledged
 * reaches the module (duplicates are allowed, and counted).
 */
class CrashRecoverySystemTest {
    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedMessageSurvivesKillMinus9() throws Exception {
        try (GatehouseProcess gatehouse = new GatehouseProcess(dir)) {
            gatehouse.start();
            String deviceKey = OperatorCli.addIdentity(gatehouse, "dev1");
            String moduleKey = OperatorCli.addIdentity(gatehouse, "edge1/sink");
            OperatorCli.deploy(gatehouse, dir, "deployment", EndToEndSystemTest.ROUTES);

            Set<Integer> acknowledged = ConcurrentHashMap.newKeySet();
            Map<Integer, Integer> delivered = new HashMap<>();
            HubClient module = HubClient.connect(gatehouse.mqttPort(), "edge1/sink", moduleKey);
            module.mqtt.subscribe("devices/edge1/modules/sink/inputs/#", 1);
            HubClient device = HubClient.connect(gatehouse.mqttPort(), "dev1", deviceKey);
            Thread publisher = new Thread(() -> {
                for (int n = 0; ; n++) {
                    try {
                        device.mqtt.publish("devices/dev1/messages/events/", Integer.toString(n)
                                .getBytes(StandardCharsets.UTF_8), 1, false);
                        acknowledged.add(n); // publish() returned: the PUBACK arrived
                    } catch (MqttException e) {
                        return; // the gateway died under us
                    }
                }
            });
            publisher.start();
            while (acknowledged.size() < 1500) {
                drain(module, delivered);
                Thread.sleep(10);
            }
            gatehouse.kill();
            publisher.join(30_000);
            drain(module, delivered);
            module.close();
            device.close();
            int ackedBeforeCrash = acknowledged.size();

            gatehouse.start();
            try (HubClient moduleAgain = HubClient.connect(gatehouse.mqttPort(), "edge1/sink", moduleKey)) {
                moduleAgain.mqtt.subscribe("devices/edge1/modules/sink/inputs/#", 1);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!delivered.keySet().containsAll(acknowledged) && System.nanoTime() < deadline) {
                    HubClient.Received r = moduleAgain.received.poll(1, TimeUnit.SECONDS);
                    if (r != null) delivered.merge(Integer.parseInt(r.body()), 1, Integer::sum);
                }
            }
            long duplicates = delivered.values().stream().filter(c -> c > 1).count();
            System.out.printf("crash: %d acknowledged before kill -9, %d distinct delivered, %d duplicated%n",
                    ackedBeforeCrash, delivered.size(), duplicates);
            assertThat(delivered.keySet()).containsAll(acknowledged);
        }
    }

    private static void drain(HubClient module, Map<Integer, Integer> delivered) {
        HubClient.Received r;
        while ((r = module.received.poll()) != null) delivered.merge(Integer.parseInt(r.body()), 1, Integer::sum);
    }
}
