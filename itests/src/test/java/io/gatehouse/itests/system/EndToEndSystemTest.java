package io.gatehouse.itests.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution as an operator runs it: identities registered through the CLI, a deployment
 * applied through the CLI, two devices publishing with a real MQTT client, a module receiving.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EndToEndSystemTest {
    static final int PER_DEVICE = 500;
    static final String ROUTES = """
            {"modulesContent":{
              "$edgeAgent":{"properties.desired":{"schemaVersion":"1.1","systemModules":{},"modules":{}}},
              "$edgeHub":{"properties.desired":{"schemaVersion":"1.1",
                "routes":{"toSink":"FROM /messages/* WHERE NOT is_defined($connectionModuleId) INTO BrokeredEndpoint(\\"/modules/sink/inputs/telemetry\\")"},
                "storeAndForwardConfiguration":{"timeToLiveSecs":7200}}}}}
            """;

    @TempDir
    static Path dir;
    private GatehouseProcess gatehouse;
    private final Map<String, String> keys = new HashMap<>();

    @BeforeAll
    void start() throws Exception {
        gatehouse = new GatehouseProcess(dir);
        gatehouse.start();
        keys.putAll(OperatorCli.addIdentities(gatehouse, List.of("dev1", "dev2", "edge1/sink")));
        OperatorCli.deploy(gatehouse, dir, "deployment", ROUTES);
    }

    @AfterAll
    void stop() throws Exception {
        if (gatehouse != null) gatehouse.close();
    }

    @Test
    void everyQos1MessageFromTwoDevicesReachesTheModuleIntact() throws Exception {
        try (HubClient module = HubClient.connect(gatehouse.mqttPort(), "edge1/sink", keys.get("edge1/sink"));
                HubClient dev1 = HubClient.connect(gatehouse.mqttPort(), "dev1", keys.get("dev1"));
                HubClient dev2 = HubClient.connect(gatehouse.mqttPort(), "dev2", keys.get("dev2"))) {
            module.mqtt.subscribe("devices/edge1/modules/sink/inputs/#", 1);
            Thread p1 = publisher(dev1, "dev1");
            Thread p2 = publisher(dev2, "dev2");
            p1.start();
            p2.start();
            p1.join();
            p2.join();

            Map<String, Integer> seen = new HashMap<>();
            Map<String, Integer> lastSeq = new HashMap<>();
            int duplicates = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (seen.size() < 2 * PER_DEVICE && System.nanoTime() < deadline) {
                HubClient.Received r = module.received.poll(1, TimeUnit.SECONDS);
                if (r == null) continue;
                String device = r.body().substring(r.body().indexOf("\"d\":\"") + 5, r.body().indexOf("\",\"n\""));
                assertThat(r.topic())
                        .startsWith("devices/edge1/modules/sink/inputs/telemetry/")
                        .contains("%24.cdid=" + device)
                        .contains("%24.ct=application%2Fjson")
                        .contains("%24.ce=utf-8")
                        .contains("seq=" + r.body().replaceAll(".*\"n\":(\\d+).*", "$1"))
                        .doesNotContain("%24.cmid");
                if (seen.merge(r.body(), 1, Integer::sum) > 1) {
                    duplicates++;
                    continue;
                }
                // invariant 3: FIFO per (endpoint, priority, sender)
                int seq = Integer.parseInt(r.body().replaceAll(".*\"n\":(\\d+).*", "$1"));
                assertThat(seq).as("order of " + device).isGreaterThan(lastSeq.getOrDefault(device, -1));
                lastSeq.put(device, seq);
            }
            System.out.printf("end-to-end: %d distinct of %d, %d duplicates%n", seen.size(), 2 * PER_DEVICE, duplicates);
            for (String d : new String[] {"dev1", "dev2"}) {
                for (int n = 0; n < PER_DEVICE; n++) {
                    assertThat(seen).containsKey(body(d, n));
                }
            }
            assertThat(module.lost).isNull();
        }
    }

    private static String body(String device, int n) {
        return "{\"d\":\"" + device + "\",\"n\":" + n + ",\"temperature\":21.5}";
    }

    private static Thread publisher(HubClient client, String device) {
        return new Thread(() -> {
            try {
                for (int n = 0; n < PER_DEVICE; n++) {
                    client.mqtt.publish("devices/" + device + "/messages/events/$.ct=application%2Fjson&$.ce=utf-8&seq=" + n,
                            body(device, n).getBytes(StandardCharsets.UTF_8), 1, false);
                }
            } catch (MqttException e) {
                throw new AssertionError(device + " publish failed", e);
            }
        });
    }

    @Test
    void forgedExpiredAndAnonymousClientsAreRefusedWithTheReasonLogged() throws Exception {
        String forgedKey = java.util.Base64.getEncoder().encodeToString(new byte[32]);
        assertThatThrownBy(() -> HubClient.connect(gatehouse.mqttPort(), "dev1", forgedKey))
                .isInstanceOfSatisfying(MqttException.class,
                        e -> assertThat(e.getReasonCode()).isEqualTo(MqttException.REASON_CODE_NOT_AUTHORIZED));
        assertThatThrownBy(() -> new HubClient(gatehouse.mqttPort(), "dev1",
                SasTokens.create(GatehouseProcess.IOTHUB, "dev1", keys.get("dev1"), -3600), true))
                .isInstanceOfSatisfying(MqttException.class,
                        e -> assertThat(e.getReasonCode()).isEqualTo(MqttException.REASON_CODE_NOT_AUTHORIZED));
        assertThatThrownBy(() -> new HubClient(gatehouse.mqttPort(), "dev1", null, true))
                .isInstanceOfSatisfying(MqttException.class,
                        e -> assertThat(e.getReasonCode()).isEqualTo(MqttException.REASON_CODE_NOT_AUTHORIZED));
        String log = gatehouse.logText();
        assertThat(log).contains("Refused connection").contains("anonymous");
        assertThat(log).doesNotContain(keys.get("dev1"));
    }

    @Test
    void aMalformedDeploymentIsRefusedAndTheRoutesInForceKeepWorking() throws Exception {
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, ROUTES.replace("INTO BrokeredEndpoint", "INTO Nowhere"), StandardCharsets.UTF_8);
        GatehouseProcess.CliResult refused = gatehouse.cli("deploy", bad.toString());
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.out() + refused.err()).containsIgnoringCase("toSink");
        try (HubClient module = HubClient.connect(gatehouse.mqttPort(), "edge1/sink", keys.get("edge1/sink"));
                HubClient dev1 = HubClient.connect(gatehouse.mqttPort(), "dev1", keys.get("dev1"))) {
            module.mqtt.subscribe("devices/edge1/modules/sink/inputs/#", 1);
            dev1.mqtt.publish("devices/dev1/messages/events/", "after-refusal".getBytes(StandardCharsets.UTF_8), 1, false);
            HubClient.Received r;
            do {
                r = module.received.poll(20, TimeUnit.SECONDS);
            } while (r != null && !r.body().equals("after-refusal"));
            assertThat(r).as("the last good routes still deliver").isNotNull();
        }
    }
}
