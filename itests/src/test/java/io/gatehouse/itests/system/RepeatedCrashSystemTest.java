package io.gatehouse.itests.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Five {@code kill -9} and restart cycles under continuous QoS 1 load, with the module receiving
 * throughout: every message the device saw acknowledged in any cycle is delivered in the end.
 */
class RepeatedCrashSystemTest {
    private static final int CYCLES = 5;

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedMessageSurvivesFiveKillRestartCycles() throws Exception {
        try (GatehouseProcess gatehouse = new GatehouseProcess(dir)) {
            gatehouse.start();
            String deviceKey = OperatorCli.addIdentity(gatehouse, "dev1");
            String moduleKey = OperatorCli.addIdentity(gatehouse, "edge1/sink");
            OperatorCli.deploy(gatehouse, dir, "deployment", EndToEndSystemTest.ROUTES);

            Set<Integer> acknowledged = ConcurrentHashMap.newKeySet();
            Map<Integer, Integer> delivered = new ConcurrentHashMap<>();
            AtomicInteger next = new AtomicInteger();
            for (int cycle = 1; cycle <= CYCLES; cycle++) {
                HubClient module = HubClient.connect(gatehouse.mqttPort(), "edge1/sink", moduleKey);
                // count deliveries as they arrive: the gateway may die before the test reads a queue
                module.mqtt.setCallback(new org.eclipse.paho.client.mqttv3.MqttCallback() {
                    @Override
                    public void connectionLost(Throwable cause) {
                    }

                    @Override
                    public void messageArrived(String topic, org.eclipse.paho.client.mqttv3.MqttMessage m) {
                        delivered.merge(Integer.parseInt(new String(m.getPayload(), StandardCharsets.UTF_8)), 1, Integer::sum);
                    }

                    @Override
                    public void deliveryComplete(org.eclipse.paho.client.mqttv3.IMqttDeliveryToken token) {
                    }
                });
                module.mqtt.subscribe("devices/edge1/modules/sink/inputs/#", 1);
                HubClient device = HubClient.connect(gatehouse.mqttPort(), "dev1", deviceKey);
                Thread publisher = new Thread(() -> {
                    while (true) {
                        int n = next.getAndIncrement();
                        try {
                            device.mqtt.publish("devices/dev1/messages/events/", Integer.toString(n)
                                    .getBytes(StandardCharsets.UTF_8), 1, false);
                            acknowledged.add(n);
                        } catch (MqttException e) {
                            return; // the gateway died under us
                        }
                    }
                });
                int before = acknowledged.size();
                publisher.start();
                while (acknowledged.size() < before + 500) Thread.sleep(5);
                gatehouse.kill();
                publisher.join(30_000);
                module.close();
                device.close();
                gatehouse.start();
            }

            try (HubClient module = HubClient.connect(gatehouse.mqttPort(), "edge1/sink", moduleKey)) {
                module.mqtt.subscribe("devices/edge1/modules/sink/inputs/#", 1);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!delivered.keySet().containsAll(acknowledged) && System.nanoTime() < deadline) {
                    HubClient.Received r = module.received.poll(1, TimeUnit.SECONDS);
                    if (r != null) delivered.merge(Integer.parseInt(r.body()), 1, Integer::sum);
                }
            }
            long duplicates = delivered.values().stream().filter(c -> c > 1).count();
            System.out.printf("%d kill -9 cycles: %d acknowledged, %d distinct delivered, %d duplicated%n",
                    CYCLES, acknowledged.size(), delivered.size(), duplicates);
            assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(CYCLES * 500);
            assertThat(delivered.keySet()).containsAll(acknowledged);
        }
    }
}
