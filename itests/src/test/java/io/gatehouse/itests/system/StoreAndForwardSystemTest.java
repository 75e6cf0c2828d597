package io.gatehouse.itests.system;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Store and forward as a gateway with an absent module (or a dead uplink) lives it, through the
 * assembled distribution: the backlog waits on disk with its age and size visible, is delivered
 * in strict priority and per-sender order when the module comes back, TTL drops are counted,
 * disk is given back after a drain, each quota policy does what it promises, and a damaged queue
 * file costs only the messages it held. Short roll cycles (one file per second) stand in for the
 * hours a real gateway works through.
 */
class StoreAndForwardSystemTest {
    static final String SINK = "edge1/sink";
    static final String SINK_INPUTS = "devices/edge1/modules/sink/inputs/#";
    static final String ALL = "edge1/sink/all";
    /**
     * 4 MiB: a one-second test file starts with 512 KiB of Chronicle index, so this holds a few
     * files of data, as a real quota holds a few five-minute files.
     */
    static final int QUOTA_BYTES = 4 << 20;

    @TempDir
    Path dir;

    @Test
    void aBacklogIsVisibleThenDeliveredByPriorityAndInOrderAndExpiredMessagesAreCounted() throws Exception {
        try (GatehouseProcess gatehouse = new GatehouseProcess(dir)) {
            gatehouse.start();
            Map<String, String> keys = OperatorCli.addIdentities(gatehouse, List.of("dev1", "dev2", SINK));
            OperatorCli.deploy(gatehouse, dir, "deployment", List.of(
                    new OperatorCli.Route("high", "FROM /messages/* WHERE level = 'high' "
                            + "INTO BrokeredEndpoint(\"/modules/sink/inputs/high\")", 0, 0),
                    new OperatorCli.Route("short", "FROM /messages/* WHERE level = 'fleeting' "
                            + "INTO BrokeredEndpoint(\"/modules/sink/inputs/short\")", 1, 1),
                    new OperatorCli.Route("low", "FROM /messages/* WHERE level = 'low' "
                            + "INTO BrokeredEndpoint(\"/modules/sink/inputs/low\")", 5, 0)));

            int perLevel = 300;
            try (HubClient dev1 = HubClient.connect(gatehouse.mqttPort(), "dev1", keys.get("dev1"));
                 HubClient dev2 = HubClient.connect(gatehouse.mqttPort(), "dev2", keys.get("dev2"))) {
                for (int n = 0; n < 30; n++) publish(dev1, "level=fleeting", "dev1:" + n);
                // low and high interleaved, two senders: the module is away
                for (int n = 0; n < perLevel; n++) {
                    HubClient sender = n % 2 == 0 ? dev1 : dev2;
                    String name = n % 2 == 0 ? "dev1" : "dev2";
                    publish(sender, "level=low", name + ":" + n);
                    publish(sender, "level=high", name + ":" + n);
                }
            }
            Thread.sleep(1_500);
            Map<String, JsonNode> waiting = ManagementApi.queues(gatehouse);
            JsonNode high = waiting.get(OperatorCli.key("edge1/sink/high", 0));
            JsonNode low = waiting.get(OperatorCli.key("edge1/sink/low", 5));
            assertThat(high.get("pending").asLong()).isEqualTo(perLevel);
            assertThat(low.get("pending").asLong()).isEqualTo(perLevel);
            assertThat(low.get("oldestAgeMillis").asLong()).as("the oldest low message has waited").isGreaterThanOrEqualTo(1_500);
            assertThat(high.get("bytesOnDisk").asLong()).as("300 stored messages take room").isGreaterThan(perLevel * 20L);

            List<InputMessage> received = new ArrayList<>();
            try (HubClient module = HubClient.connect(gatehouse.mqttPort(), SINK, keys.get(SINK))) {
                module.mqtt.subscribe(SINK_INPUTS, 1);
                collect(module, received, 2 * perLevel, 30);
                HubClient.Received extra = module.received.poll(1, TimeUnit.SECONDS);
                assertThat(extra).as("nothing beyond the backlog, no expired message").isNull();
            }
            assertThat(received).hasSize(2 * perLevel);
            assertThat(received.subList(0, perLevel)).as("the whole high-priority backlog first")
                    .allMatch(m -> m.input().equals("high"));
            assertThat(received.subList(perLevel, 2 * perLevel)).allMatch(m -> m.input().equals("low"));
            for (String input : List.of("high", "low")) {
                for (String sender : List.of("dev1", "dev2")) {
                    List<Integer> order = received.stream()
                            .filter(m -> m.input().equals(input) && m.body().startsWith(sender + ":"))
                            .map(m -> Integer.parseInt(m.body().substring(sender.length() + 1))).toList();
                    assertThat(order).as("%s from %s in the order sent", input, sender).hasSize(perLevel / 2).isSorted();
                }
            }

            Map<String, JsonNode> after = ManagementApi.queues(gatehouse);
            JsonNode expired = after.get(OperatorCli.key("edge1/sink/short", 1));
            assertThat(expired.get("dropped").get("ttl_expiry").asLong()).as("TTL drops counted").isEqualTo(30);
            assertThat(expired.get("delivered").asLong()).isZero();
            assertThat(expired.get("pending").asLong()).isZero();
            String metrics = ManagementApi.text(gatehouse, "/metrics");
            assertThat(metrics).as("what a Prometheus scraper sees")
                    .contains("edgehub_messages_dropped_total{reason=\"ttl_expiry\",endpoint=\"edge1/sink/short\",priority=\"1\"} 30")
                    .contains("edgehub_queue_length{endpoint=\"edge1/sink/low\",priority=\"5\"} 0");
            JsonNode drained = after.get(OperatorCli.key("edge1/sink/high", 0));
            assertThat(drained.get("delivered").asLong()).isEqualTo(perLevel);
            assertThat(drained.get("oldestAgeMillis").isNull()).as("nothing waits any more").isTrue();
        }
    }

    @Test
    void diskStaysBoundedUnderSteadyLoadAndFallsBackAfterABacklogDrains() throws Exception {
        try (GatehouseProcess gatehouse = new GatehouseProcess(dir)) {
            Map<String, String> keys = startWithOneRoute(gatehouse, "GATEHOUSE_STORE_ROLL_CYCLE", "TEST_SECONDLY");
            String padding = "x".repeat(400);
            int sent = 0;
            List<InputMessage> received = new ArrayList<>();
            try (HubClient device = HubClient.connect(gatehouse.mqttPort(), "dev1", keys.get("dev1"))) {
                // steady: the module keeps up, so at most the file being written and the one before stay
                int mostFiles = 0;
                try (HubClient module = HubClient.connect(gatehouse.mqttPort(), SINK, keys.get(SINK))) {
                    module.mqtt.subscribe(SINK_INPUTS, 1);
                    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
                    while (System.nanoTime() < end) {
                        // a steady load (at most about 2,500 msg/s), not a flood the module falls behind
                        for (int i = 0; i < 50; i++) publish(device, "", sent++ + padding);
                        mostFiles = Math.max(mostFiles, queueFiles(gatehouse, ALL).size());
                        Thread.sleep(20);
                    }
                    collect(module, received, sent, 30);
                }
                assertThat(received).hasSize(sent);
                assertThat(mostFiles).as("files of a queue that keeps up, over 4 one-second cycles").isBetween(1, 3);

                // a backlog over several cycles while the module is away
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
                while (System.nanoTime() < end) {
                    for (int i = 0; i < 50; i++) publish(device, "", sent++ + padding);
                }
            }
            long backlogBytes = queue(gatehouse, ALL).get("bytesOnDisk").asLong();
            int backlogFiles = queueFiles(gatehouse, ALL).size();
            assertThat(backlogFiles).as("a backlog over four one-second cycles").isGreaterThanOrEqualTo(4);

            try (HubClient module = HubClient.connect(gatehouse.mqttPort(), SINK, keys.get(SINK))) {
                module.mqtt.subscribe(SINK_INPUTS, 1);
                collect(module, received, sent, 60);
            }
            assertThat(received).hasSize(sent);
            long drainedBytes = awaitBytesBelow(gatehouse, backlogBytes / 3);
            System.out.printf("disk: backlog of %d files, %d bytes; after the drain %d files, %d bytes%n", backlogFiles,
                    backlogBytes, queueFiles(gatehouse, ALL).size(), drainedBytes);
            assertThat(drainedBytes).as("bytes on disk after the drain").isLessThan(backlogBytes / 3);
            assertThat(queueFiles(gatehouse, ALL).size()).as("queue files after the drain").isLessThanOrEqualTo(2);
        }
    }

    @Test
    void rejectNewRefusesPublishersAtTheQuotaAndDeliversEveryAcknowledgedMessage() throws Exception {
        try (GatehouseProcess gatehouse = new GatehouseProcess(dir)) {
            Map<String, String> keys = startWithOneRoute(gatehouse, "GATEHOUSE_STORE_ROLL_CYCLE", "TEST_SECONDLY",
                    "GATEHOUSE_STORE_MAX_SIZE_BYTES", Integer.toString(QUOTA_BYTES), "GATEHOUSE_STORE_QUOTA_POLICY", "reject-new");
            String padding = "x".repeat(1_000);
            int acknowledged = 0;
            MqttException refused = null;
            try (HubClient device = HubClient.connect(gatehouse.mqttPort(), "dev1", keys.get("dev1"))) {
                while (acknowledged < 10_000) {
                    try {
                        publish(device, "", acknowledged + padding);
                        acknowledged++;
                    } catch (MqttException e) {
                        refused = e;
                        break;
                    }
                }
            }
            assertThat(refused).as("the publisher is refused (no PUBACK, connection closed) at the quota").isNotNull();
            assertThat(acknowledged).as("what 4 MiB holds of 1 kB messages, less the files' index").isBetween(1_500, 3_800);
            assertThat(gatehouse.logText()).contains("store quota reached");

            List<InputMessage> received = new ArrayList<>();
            try (HubClient module = HubClient.connect(gatehouse.mqttPort(), SINK, keys.get(SINK))) {
                module.mqtt.subscribe(SINK_INPUTS, 1);
                collect(module, received, acknowledged, 30);
                assertThat(module.received.poll(1, TimeUnit.SECONDS)).as("the refused message was not stored").isNull();
            }
            assertThat(received.stream().map(m -> Integer.parseInt(m.body().substring(0, m.body().indexOf('x')))))
                    .containsExactlyElementsOf(IntStream.range(0, acknowledged).boxed().toList());
            assertThat(queue(gatehouse, ALL).get("dropped").get("quota").asLong()).as("reject-new drops nothing").isZero();

            // delivered files are given back once their cycle is over: publishers are accepted again
            Thread.sleep(1_200);
            try (HubClient device = HubClient.connect(gatehouse.mqttPort(), "dev1", keys.get("dev1"))) {
                for (int n = 0; n < 100; n++) publish(device, "", "again" + n + padding);
            }
            assertThat(queue(gatehouse, ALL).get("pending").asLong()).isEqualTo(100);
        }
    }

    @Test
    void dropOldestKeepsAcceptingAndDeliversTheNewestWithTheDropsCounted() throws Exception {
        try (GatehouseProcess gatehouse = new GatehouseProcess(dir)) {
            Map<String, String> keys = startWithOneRoute(gatehouse, "GATEHOUSE_STORE_ROLL_CYCLE", "TEST_SECONDLY",
                    "GATEHOUSE_STORE_MAX_SIZE_BYTES", Integer.toString(QUOTA_BYTES), "GATEHOUSE_STORE_QUOTA_POLICY", "drop-oldest");
            String padding = "x".repeat(1_000);
            int total = 3_000; // about 6 MiB of files at 300 messages a second: ten one-second files
            try (HubClient device = HubClient.connect(gatehouse.mqttPort(), "dev1", keys.get("dev1"))) {
                for (int n = 0; n < total; n++) {
                    publish(device, "", n + padding); // every one is acknowledged, none refused
                    if (n % 30 == 29) Thread.sleep(100);
                }
            }
            long dropped = queue(gatehouse, ALL).get("dropped").get("quota").asLong();
            assertThat(dropped).as("the oldest files were dropped to stay within the quota").isPositive();
            assertThat(gatehouse.logText()).contains("dropped the oldest file");

            List<InputMessage> received = new ArrayList<>();
            try (HubClient module = HubClient.connect(gatehouse.mqttPort(), SINK, keys.get(SINK))) {
                module.mqtt.subscribe(SINK_INPUTS, 1);
                collect(module, received, (int) (total - dropped), 30);
                assertThat(module.received.poll(1, TimeUnit.SECONDS)).isNull();
            }
            System.out.printf("drop-oldest: %d published, %d dropped (quota), %d delivered%n", total, dropped,
                    received.size());
            assertThat(received.stream().map(m -> Integer.parseInt(m.body().substring(0, m.body().indexOf('x')))))
                    .as("the newest messages, in order: the dropped ones are the oldest")
                    .containsExactlyElementsOf(IntStream.range((int) dropped, total).boxed().toList());
        }
    }

    @Test
    void aDamagedQueueFileIsQuarantinedAndTheMessagesAroundItAreDelivered() throws Exception {
        try (GatehouseProcess gatehouse = new GatehouseProcess(dir)) {
            Map<String, String> keys = startWithOneRoute(gatehouse, "GATEHOUSE_STORE_ROLL_CYCLE", "TEST_SECONDLY");
            try (HubClient device = HubClient.connect(gatehouse.mqttPort(), "dev1", keys.get("dev1"))) {
                for (int batch = 0; batch < 3; batch++) {
                    // each batch in its own one-second file: it starts just after a second begins, and
                    // 50 publishes take far less than the 900 ms left (a batch that straddled a second
                    // boundary made four files once)
                    long millis = System.currentTimeMillis();
                    Thread.sleep(1_000 - millis % 1_000 + 100);
                    for (int n = 0; n < 50; n++) publish(device, "", batch + ":" + n);
                }
            }
            gatehouse.stop();
            List<Path> files = queueFiles(gatehouse, ALL);
            assertThat(files).as("three batches, three files").hasSize(3);
            Path damaged = files.get(1);
            try (RandomAccessFile f = new RandomAccessFile(damaged.toFile(), "rw")) {
                f.setLength(100);
            }

            gatehouse.start();
            assertThat(gatehouse.logText()).contains("is damaged").contains(damaged.getFileName().toString());
            try (Stream<Path> quarantined = Files.walk(storeDirectory(gatehouse).resolve("quarantine"))) {
                assertThat(quarantined.map(Path::getFileName).map(Path::toString))
                        .contains(damaged.getFileName().toString());
            }
            List<InputMessage> received = new ArrayList<>();
            try (HubClient module = HubClient.connect(gatehouse.mqttPort(), SINK, keys.get(SINK))) {
                module.mqtt.subscribe(SINK_INPUTS, 1);
                collect(module, received, 100, 30);
                assertThat(module.received.poll(1, TimeUnit.SECONDS)).isNull();
            }
            List<String> expected = new ArrayList<>();
            for (int batch : new int[] {0, 2}) {
                for (int n = 0; n < 50; n++) expected.add(batch + ":" + n);
            }
            assertThat(received.stream().map(InputMessage::body)).containsExactlyElementsOf(expected);
            // and the gateway keeps storing and delivering
            try (HubClient device = HubClient.connect(gatehouse.mqttPort(), "dev1", keys.get("dev1"))) {
                publish(device, "", "after");
            }
            assertThat(queue(gatehouse, ALL).get("pending").asLong()).isEqualTo(1);
        }
    }

    @Test
    void aMessageTheModuleCannotTakeIsDeadLetteredAndTheQueueMovesOn() throws Exception {
        try (GatehouseProcess gatehouse = new GatehouseProcess(dir)) {
            Map<String, String> keys = startWithOneRoute(gatehouse);
            // A property bag that fits the device's topic (65,535 bytes at most) but not the module's
            // input topic, which is longer by its prefix and the system properties the hub adds.
            String deviceTopicPrefix = "devices/dev1/messages/events/";
            String bag = "pad=" + "x".repeat(65_535 - deviceTopicPrefix.length() - "pad=".length() - 8);
            try (HubClient device = HubClient.connect(gatehouse.mqttPort(), "dev1", keys.get("dev1"))) {
                publish(device, "", "before");
                publish(device, bag, "too-long");
                publish(device, "", "after");
            }
            List<InputMessage> received = new ArrayList<>();
            try (HubClient module = HubClient.connect(gatehouse.mqttPort(), SINK, keys.get(SINK))) {
                module.mqtt.subscribe(SINK_INPUTS, 1);
                collect(module, received, 2, 30);
                assertThat(module.received.poll(1, TimeUnit.SECONDS)).isNull();
            }
            assertThat(received.stream().map(InputMessage::body)).containsExactly("before", "after");

            String query = "/api/deadletters?endpoint=" + ManagementApi.encode(ALL);
            JsonNode letters = ManagementApi.get(gatehouse, query);
            JsonNode list = letters.isArray() ? letters : letters.get("deadLetters");
            assertThat(list).as("dead letters of %s: %s", ALL, letters).hasSize(1);
            assertThat(list.get(0).get("reason").asText()).containsIgnoringCase("topic");
            assertThat(list.get(0).get("body").asText()).isEqualTo("too-long");
            JsonNode status = queue(gatehouse, ALL);
            assertThat(status.get("deadLetters").asLong()).isEqualTo(1);
            assertThat(status.get("delivered").asLong()).isEqualTo(2);
            assertThat(status.get("pending").asLong()).isZero();
            assertThat(gatehouse.logText()).doesNotContain("x".repeat(100)); // the body and bag stay out of the log

            GatehouseProcess.CliResult shown = gatehouse.cli("deadletters", ALL);
            assertThat(shown.exitCode()).as(shown.err()).isZero();
            assertThat(shown.out()).contains("topic");
            GatehouseProcess.CliResult purged = gatehouse.cli("deadletters", "purge", ALL);
            assertThat(purged.exitCode()).as(purged.err()).isZero();
            JsonNode after = ManagementApi.get(gatehouse, query);
            assertThat(after.isArray() ? after : after.get("deadLetters")).isEmpty();
            assertThat(queue(gatehouse, ALL).get("deadLetters").asLong()).isZero();
        }
    }

    /**
     * Starts the gateway with the given environment (name, value, …), registers dev1 and the sink
     * module, and routes every device message to the sink's input "all"; returns the keys.
     */
    private Map<String, String> startWithOneRoute(GatehouseProcess gatehouse, String... environment) throws Exception {
        for (int i = 0; i < environment.length; i += 2) gatehouse.putEnvironment(environment[i], environment[i + 1]);
        gatehouse.start();
        Map<String, String> keys = OperatorCli.addIdentities(gatehouse, List.of("dev1", SINK));
        OperatorCli.deploy(gatehouse, dir, "deployment", List.of(OperatorCli.Route.of("all",
                "FROM /messages/* INTO BrokeredEndpoint(\"/modules/sink/inputs/all\")")));
        return keys;
    }

    private static void publish(HubClient device, String propertyBag, String body) throws MqttException {
        String id = device.mqtt.getClientId();
        device.mqtt.publish("devices/" + id + "/messages/events/" + propertyBag, body.getBytes(StandardCharsets.UTF_8),
                1, false);
    }

    /** Waits until {@code count} messages arrived in all, or the time is up. */
    private static void collect(HubClient module, List<InputMessage> received, int count, int seconds)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (received.size() < count && System.nanoTime() < deadline) {
            HubClient.Received r = module.received.poll(1, TimeUnit.SECONDS);
            if (r != null) received.add(InputMessage.of(r));
        }
    }

    private static JsonNode queue(GatehouseProcess gatehouse, String endpointId) throws Exception {
        JsonNode q = ManagementApi.queues(gatehouse).get(OperatorCli.key(endpointId, OperatorCli.DEFAULT_PRIORITY));
        assertThat(q).as("queue %s in /api/queues", endpointId).isNotNull();
        return q;
    }

    private static long awaitBytesBelow(GatehouseProcess gatehouse, long limit) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long bytes;
        do {
            bytes = queue(gatehouse, ALL).get("bytesOnDisk").asLong();
            if (bytes < limit) return bytes;
            Thread.sleep(250);
        } while (System.nanoTime() < deadline);
        return bytes;
    }

    private static Path storeDirectory(GatehouseProcess gatehouse) {
        return gatehouse.dataDirectory().resolve("store");
    }

    /** The queue files (one per roll cycle) of an endpoint at the default priority, oldest first. */
    private static List<Path> queueFiles(GatehouseProcess gatehouse, String endpointId) throws IOException {
        Map<String, Path> byName = new LinkedHashMap<>();
        try (Stream<Path> all = Files.walk(storeDirectory(gatehouse))) {
            all.filter(p -> p.getFileName().toString().endsWith(".cq4"))
                    .filter(p -> !p.toString().contains("/quarantine/") && !p.toString().contains("/deadletter"))
                    .filter(p -> p.getParent().getParent().getFileName().toString()
                            .startsWith(endpointId.replace("/", "%2F")))
                    .sorted()
                    .forEach(p -> byName.put(p.getFileName().toString(), p));
        } catch (java.io.UncheckedIOException e) {
            // a file deleted while walking: the next look sees the new state
            return queueFiles(gatehouse, endpointId);
        }
        return new ArrayList<>(byName.values());
    }
}
