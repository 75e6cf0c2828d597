package io.gatehouse.itests.system;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two gateways on loopback: a parent ({@code plant}, the root) and a child ({@code line1}) whose
 * upstream is the parent. The child gets its deployment from its twins on the parent, learns the
 * leaf devices of its scope from the parent, and forwards its {@code $upstream} telemetry on each
 * sender's identity, so the parent routes it like any device's — also what was stored while the
 * parent was away. A module on the child has its twin and methods through the parent.
 */
class NestedGatewaySystemTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PARENT = "plant";
    private static final String CHILD = "line1";
    private static final String LEAF = "sensor7";

    @TempDir
    Path dir;

    /**
     * amqps: one multiplexed connection (the default); mqtts: one connection per identity (the
     * fallback); amqps+x509: the child authenticates with a self-signed certificate whose thumbprint
     * the parent has, instead of a symmetric key.
     */
    @ParameterizedTest
    @ValueSource(strings = {"amqps", "mqtts", "amqps+x509"})
    void aChildRunsTheDeploymentSetOnItsParentAndForwardsEveryMessageAcrossAParentOutage(String protocol)
            throws Exception {
        try (GatehouseProcess parent = new GatehouseProcess(Files.createDirectories(dir.resolve("parent")))) {
            parent.putEnvironment("GATEHOUSE_DEVICE_ID", PARENT);
            parent.start();
            // the child's free ports are picked once the parent holds its own
            try (GatehouseProcess child = new GatehouseProcess(Files.createDirectories(dir.resolve("child")))) {
                runPair(parent, child, protocol);
            }
        }
    }

    private void runPair(GatehouseProcess parent, GatehouseProcess child, String variant) throws Exception {
        boolean x509 = variant.endsWith("+x509");
        String protocol = x509 ? variant.substring(0, variant.indexOf('+')) : variant;
        SelfSignedCertificate certificate = x509 ? SelfSignedCertificate.create(CHILD) : null;
        String childKey = x509
                ? OperatorCli.addDevice(parent, CHILD, "--edge", "--x509-thumbprint", certificate.sha256())
                : OperatorCli.addDevice(parent, CHILD, "--edge");
        String leafKey = OperatorCli.addDevice(parent, LEAF, "--parent", CHILD);
        String observerKey = OperatorCli.addIdentity(parent, PARENT + "/observer");
        OperatorCli.deploy(parent, dir, "parent", List.of(OperatorCli.Route.of("fromTree",
                "FROM /messages/* INTO BrokeredEndpoint(\"/modules/observer/inputs/tree\")")));

        child.putEnvironment("GATEHOUSE_DEVICE_ID", CHILD);
        child.putEnvironment("GATEHOUSE_UPSTREAM_HOSTNAME", "localhost");
        child.putEnvironment("GATEHOUSE_UPSTREAM_PORT",
                Integer.toString(protocol.equals("amqps") ? parent.amqpsPort() : parent.tlsPort()));
        child.putEnvironment("GATEHOUSE_UPSTREAM_PROTOCOL", protocol);
        child.putEnvironment("GATEHOUSE_UPSTREAM_CA", parent.dataDirectory().resolve("certs/edge-ca.pem").toString());
        if (x509) {
            SelfSignedCertificate.PemFiles files = certificate.writePem(dir.resolve("child-cert"), CHILD);
            child.putEnvironment("GATEHOUSE_DEVICE_CERT", files.certFile().toString());
            child.putEnvironment("GATEHOUSE_DEVICE_CERT_KEY", files.keyFile().toString());
        } else {
            child.putEnvironment("GATEHOUSE_DEVICE_KEY", childKey);
        }
        // the SDK sample the child runs connects to port 8883 of its gateway, whatever else is configured
        child.putEnvironment("GATEHOUSE_MQTT_TLS_PORT", "8883");
        child.start();

        // the operator deploys to the child through the parent: the sample sensor, and its and the leaf's telemetry upstream
        Path manifest = dir.resolve("line1-deployment.json");
        Files.writeString(manifest, childManifest(), StandardCharsets.UTF_8);
        GatehouseProcess.CliResult deployed = parent.cli("deploy", "--device", CHILD, manifest.toString());
        assertThat(deployed.exitCode()).as("deploy --device: %s%s", deployed.out(), deployed.err()).isZero();

        // what the leaf sent (each acknowledged by the child), and what the observer received from it in
        // arrival order over both of its connections
        List<Integer> sent = new ArrayList<>();
        List<Integer> seen = new ArrayList<>();
        HubClient observer = HubClient.connect(parent.mqttPort(), PARENT + "/observer", observerKey);
        try {
            observer.mqtt.subscribe("devices/" + PARENT + "/modules/observer/inputs/#", 1);
            InputMessage fromSensor = await(observer, m -> "tempSensor".equals(m.property("$.cmid")), 120,
                    () -> "child's agent: " + get(child, "/api/agent").path("modules") + "; child log:\n" + tail(child));
            assertThat(fromSensor.property("$.cdid")).isEqualTo(CHILD);
            assertThat(JSON.readTree(fromSensor.body()).path("machine").path("temperature").isNumber()).isTrue();
            // the child reports its agent's state into its twin on the parent
            awaitReported(parent, "tempSensor", "running");

            // a leaf of the child's scope, registered on the parent only, connects to the child
            try (HubClient leaf = HubClient.connect(child.mqttPort(), LEAF, leafKey)) {
                for (int i = 0; i < 50; i++) send(leaf, i, sent);
            }
            collectLeaf(observer, seen, 50, 60);
            assertThat(firstArrivals(seen)).containsExactlyElementsOf(sent);
            // on the leaf's identity, over the protocol asked for: one multiplexed AMQP connection, or a
            // connection of its own over MQTT
            assertThat(parent.logText()).contains(protocol.equals("amqps")
                    ? LEAF + " authenticated on the AMQP connection from"
                    : CHILD + " connected on behalf of " + LEAF);
            if (x509) {
                assertThat(parent.logText()).contains(CHILD + " authenticated on the AMQP connection from")
                        .doesNotContain(CHILD + " failed authentication");
                assertThat(child.logText()).contains("with the X.509 certificate CN=line1 (SHA-256 "
                        + certificate.sha256().toUpperCase(java.util.Locale.ROOT));
            }

            twinsAndMethodsAcrossThePair(parent, child);
            aLeafsTwinAndMethodsWorkThroughTheChild(parent, child, leafKey);
            aLeafRegisteredLaterGetsInThroughTheChild(parent, child);
            if (protocol.equals("amqps")) cloudToDeviceReachesTheLeafThroughTheChild(parent, child, leafKey);

            // the parent goes away; the child keeps accepting, storing, and authenticating its leaf
            parent.stop();
            try (HubClient leaf = HubClient.connect(child.mqttPort(), LEAF, leafKey)) {
                for (int i = 50; i < 100; i++) send(leaf, i, sent);
            }
            // and so after a restart of its own while the parent is still away (the scope is kept on disk)
            child.stop();
            child.start();
            try (HubClient leaf = HubClient.connect(child.mqttPort(), LEAF, leafKey)) {
                for (int i = 100; i < 150; i++) send(leaf, i, sent);
            }
            assertThat(ManagementApi.queues(child).values()).anySatisfy(q -> {
                assertThat(q.path("endpointId").asText()).isEqualTo("$upstream");
                assertThat(q.path("pending").asLong()).isGreaterThanOrEqualTo(100);
            });
        } finally {
            observer.close();
        }

        parent.start();
        try (HubClient back = HubClient.connect(parent.mqttPort(), PARENT + "/observer", observerKey)) {
            back.mqtt.subscribe("devices/" + PARENT + "/modules/observer/inputs/#", 1);
            collectLeaf(back, seen, 150, 120);
            // at least once: a message may come twice (one the observer had not acknowledged when the parent
            // stopped comes again), but none is missing and the first arrivals keep the order
            assertThat(firstArrivals(seen)).containsExactlyElementsOf(sent);
        }
    }

    /**
     * A module on the child: its reported properties reach its twin on the parent, desired properties
     * the operator sets on the parent reach it, and so do direct methods invoked on the parent, whose
     * answers come back — as does the child's agent's own ping.
     */
    private void twinsAndMethodsAcrossThePair(GatehouseProcess parent, GatehouseProcess child) throws Exception {
        String probeKey = OperatorCli.addIdentity(child, CHILD + "/probe");
        try (HubClient probe = HubClient.connect(child.mqttPort(), CHILD + "/probe", probeKey)) {
            probe.mqtt.subscribe(new String[] {"$iothub/twin/res/#", "$iothub/twin/PATCH/properties/desired/#",
                "$iothub/methods/POST/#"}, new int[] {1, 1, 1});
            probe.mqtt.publish("$iothub/twin/PATCH/properties/reported/?$rid=1",
                    "{\"firmware\":\"2.1\"}".getBytes(StandardCharsets.UTF_8), 1, false);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            JsonNode reported = null;
            while (System.nanoTime() < deadline) {
                reported = get(parent, "/api/twins/" + CHILD + "/modules/probe").path("properties").path("reported");
                if ("2.1".equals(reported.path("firmware").asText())) break;
                Thread.sleep(250);
            }
            assertThat(reported.path("firmware").asText()).as("the probe's reported twin on the parent: %s", reported)
                    .isEqualTo("2.1");

            Path patch = dir.resolve("probe-desired.json");
            Files.writeString(patch, "{\"setpoint\": 21}", StandardCharsets.UTF_8);
            GatehouseProcess.CliResult set = parent.cli("twin", "set", CHILD, "--module", "probe", patch.toString());
            assertThat(set.exitCode()).as("twin set: %s%s", set.out(), set.err()).isZero();
            HubClient.Received desired = awaitTopic(probe, "$iothub/twin/PATCH/properties/desired/", 30);
            assertThat(JSON.readTree(desired.body()).path("setpoint").asInt()).as(desired.body()).isEqualTo(21);

            java.util.concurrent.CompletableFuture<GatehouseProcess.CliResult> call = java.util.concurrent.CompletableFuture
                    .supplyAsync(() -> {
                        try {
                            return parent.cli("method", "invoke", CHILD, "--module", "probe", "calibrate",
                                    "--payload", "{\"step\": 2}", "--timeout", "20");
                        } catch (Exception e) {
                            throw new java.util.concurrent.CompletionException(e);
                        }
                    });
            HubClient.Received request = awaitTopic(probe, "$iothub/methods/POST/calibrate/", 30);
            assertThat(JSON.readTree(request.body()).path("step").asInt()).isEqualTo(2);
            String rid = request.topic().substring(request.topic().indexOf("$rid=") + 5);
            probe.mqtt.publish("$iothub/methods/res/200/?$rid=" + rid,
                    "{\"calibrated\": true}".getBytes(StandardCharsets.UTF_8), 1, false);
            GatehouseProcess.CliResult answered = call.get(60, TimeUnit.SECONDS);
            assertThat(answered.exitCode()).as("method invoke: %s%s", answered.out(), answered.err()).isZero();
            assertThat(answered.out()).contains("200").contains("calibrated");
        }
        GatehouseProcess.CliResult ping = parent.cli("method", "invoke", CHILD, "--module", "$edgeAgent", "ping");
        assertThat(ping.exitCode()).as("ping the child's agent: %s%s", ping.out(), ping.err()).isZero();
        assertThat(ping.out()).contains("200");
    }

    /**
     * A leaf below the child, connected to the child: its reported properties reach its twin on the
     * parent, the desired properties the operator sets there reach it, and a method invoked on it at
     * the parent is answered by it.
     */
    private void aLeafsTwinAndMethodsWorkThroughTheChild(GatehouseProcess parent, GatehouseProcess child,
            String leafKey) throws Exception {
        try (HubClient leaf = HubClient.connect(child.mqttPort(), LEAF, leafKey)) {
            leaf.mqtt.subscribe(new String[] {"$iothub/twin/res/#", "$iothub/twin/PATCH/properties/desired/#",
                "$iothub/methods/POST/#"}, new int[] {1, 1, 1});
            leaf.mqtt.publish("$iothub/twin/PATCH/properties/reported/?$rid=1",
                    "{\"battery\":87}".getBytes(StandardCharsets.UTF_8), 1, false);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            JsonNode reported = null;
            while (System.nanoTime() < deadline) {
                reported = get(parent, "/api/twins/" + LEAF).path("properties").path("reported");
                if (reported.path("battery").asInt() == 87) break;
                Thread.sleep(250);
            }
            assertThat(reported.path("battery").asInt()).as("the leaf's reported twin on the parent: %s", reported)
                    .isEqualTo(87);

            Path patch = dir.resolve("leaf-desired.json");
            Files.writeString(patch, "{\"interval\": 30}", StandardCharsets.UTF_8);
            GatehouseProcess.CliResult set = parent.cli("twin", "set", LEAF, patch.toString());
            assertThat(set.exitCode()).as("twin set: %s%s", set.out(), set.err()).isZero();
            HubClient.Received desired = awaitTopic(leaf, "$iothub/twin/PATCH/properties/desired/", 30);
            assertThat(JSON.readTree(desired.body()).path("interval").asInt()).as(desired.body()).isEqualTo(30);

            java.util.concurrent.CompletableFuture<GatehouseProcess.CliResult> call = java.util.concurrent.CompletableFuture
                    .supplyAsync(() -> {
                        try {
                            return parent.cli("method", "invoke", LEAF, "blink", "--payload", "{\"times\": 3}",
                                    "--timeout", "20");
                        } catch (Exception e) {
                            throw new java.util.concurrent.CompletionException(e);
                        }
                    });
            HubClient.Received request = awaitTopic(leaf, "$iothub/methods/POST/blink/", 30);
            assertThat(JSON.readTree(request.body()).path("times").asInt()).isEqualTo(3);
            String rid = request.topic().substring(request.topic().indexOf("$rid=") + 5);
            leaf.mqtt.publish("$iothub/methods/res/200/?$rid=" + rid, "{\"blinked\": 3}".getBytes(StandardCharsets.UTF_8),
                    1, false);
            GatehouseProcess.CliResult answered = call.get(60, TimeUnit.SECONDS);
            assertThat(answered.exitCode()).as("method invoke: %s%s", answered.out(), answered.err()).isZero();
            assertThat(answered.out()).contains("200").contains("blinked");
        }
    }

    /**
     * A leaf registered at the parent after the child learned its scope: its first attempt at the
     * child fails, which makes the child ask the parent for its scope again, and a retry within
     * seconds gets in (not after the hourly refresh).
     */
    private void aLeafRegisteredLaterGetsInThroughTheChild(GatehouseProcess parent, GatehouseProcess child)
            throws Exception {
        String lateKey = OperatorCli.addDevice(parent, "sensor8", "--parent", CHILD);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
        int attempts = 0;
        while (true) {
            attempts++;
            try (HubClient late = HubClient.connect(child.mqttPort(), "sensor8", lateKey)) {
                assertThat(late.mqtt.isConnected()).isTrue();
                break;
            } catch (org.eclipse.paho.client.mqttv3.MqttException refused) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("sensor8 never got in at the child (" + attempts + " attempts); child log:\n"
                            + tail(child), refused);
                }
                Thread.sleep(1000);
            }
        }
        assertThat(attempts).as("the first attempt came before the child knew sensor8").isGreaterThan(1);
        assertThat(child.logText()).contains("sensor8 failed authentication here: asking the parent for the device scope");
    }

    /**
     * The operator sends a C2D message to the leaf on the parent; the child takes it on the leaf's
     * behalf into its own store, and the leaf receives it from the child; the parent's queue empties.
     */
    private void cloudToDeviceReachesTheLeafThroughTheChild(GatehouseProcess parent, GatehouseProcess child,
            String leafKey) throws Exception {
        GatehouseProcess.CliResult sent = parent.cli("c2d", "send", LEAF, "--property", "cmd=zero",
                "--message-id", "c2d-nested-1", "zero the scale");
        assertThat(sent.exitCode()).as("c2d send: %s%s", sent.out(), sent.err()).isZero();
        try (HubClient leaf = HubClient.connect(child.mqttPort(), LEAF, leafKey)) {
            leaf.mqtt.subscribe("devices/" + LEAF + "/messages/devicebound/#", 1);
            HubClient.Received c2d = awaitTopic(leaf, "devices/" + LEAF + "/messages/devicebound/", 30);
            assertThat(c2d.body()).isEqualTo("zero the scale");
            assertThat(c2d.topic()).contains("cmd=zero").contains("c2d-nested-1");
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        JsonNode pending;
        do {
            pending = get(parent, "/api/devices/" + LEAF + "/messages/devicebound");
            if (pending.path("pending").asInt() == 0) break;
            Thread.sleep(250);
        } while (System.nanoTime() < deadline);
        assertThat(pending.path("pending").asInt()).as("the parent's C2D queue of the leaf: %s", pending).isZero();
    }

    private static HubClient.Received awaitTopic(HubClient client, String prefix, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            HubClient.Received r = client.received.poll(1, TimeUnit.SECONDS);
            if (r != null && r.topic().startsWith(prefix)) return r;
        }
        throw new AssertionError("nothing on " + prefix + " within " + seconds + " s");
    }

    private static String childManifest() throws Exception {
        ObjectNode shipped = (ObjectNode) JSON.readTree(GatehouseProcess.HOME.resolve("etc/deployment.json").toFile());
        ObjectNode routes = JSON.createObjectNode();
        routes.put("sensorUp", "FROM /messages/modules/tempSensor/outputs/* INTO $upstream");
        routes.put("leavesUp", "FROM /messages/* WHERE NOT is_defined($connectionModuleId) INTO $upstream");
        ((ObjectNode) shipped.path("modulesContent").path("$edgeHub").path("properties.desired")).set("routes", routes);
        return shipped.toPrettyString();
    }

    private static void send(HubClient leaf, int seq, List<Integer> sent) throws Exception {
        MqttMessage m = new MqttMessage(("{\"seq\":" + seq + "}").getBytes(StandardCharsets.UTF_8));
        m.setQos(1);
        leaf.mqtt.publish("devices/" + LEAF + "/messages/events/", m); // returns on the child's PUBACK
        sent.add(seq);
    }

    /** Reads the leaf's messages among what the observer receives until {@code count} distinct ones came. */
    private static void collectLeaf(HubClient observer, List<Integer> seen, int count, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (firstArrivals(seen).size() < count && System.nanoTime() < deadline) {
            HubClient.Received r = observer.received.poll(1, TimeUnit.SECONDS);
            if (r == null) continue;
            InputMessage m = InputMessage.of(r);
            if (!LEAF.equals(m.property("$.cdid"))) continue;
            assertThat(m.property("$.cmid")).isNull();
            seen.add(JSON.readTree(m.body()).path("seq").asInt());
        }
        assertThat(firstArrivals(seen)).as("leaf messages at the parent within %d s", seconds).hasSize(count);
    }

    private static List<Integer> firstArrivals(List<Integer> seen) {
        Set<Integer> first = new LinkedHashSet<>(seen);
        return new ArrayList<>(first);
    }

    private static InputMessage await(HubClient observer, Predicate<InputMessage> wanted, int seconds,
            java.util.concurrent.Callable<String> diagnosis) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            HubClient.Received r = observer.received.poll(1, TimeUnit.SECONDS);
            if (r == null) continue;
            InputMessage m = InputMessage.of(r);
            if (wanted.test(m)) return m;
        }
        throw new AssertionError("no such message at the parent within " + seconds + " s; " + diagnosis.call());
    }

    private static void awaitReported(GatehouseProcess parent, String module, String status) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        JsonNode reported = null;
        while (System.nanoTime() < deadline) {
            reported = get(parent, "/api/twins/" + CHILD + "/modules/%24edgeAgent").path("properties").path("reported");
            if (status.equals(reported.path("modules").path(module).path("runtimeStatus").asText())) return;
            Thread.sleep(500);
        }
        throw new AssertionError("the child's $edgeAgent reported properties on the parent: " + reported);
    }

    private static JsonNode get(GatehouseProcess gatehouse, String path) throws Exception {
        return ManagementApi.get(gatehouse, path);
    }

    private static String tail(GatehouseProcess gatehouse) throws Exception {
        String log = gatehouse.logText();
        return log.substring(Math.max(0, log.length() - 6000));
    }
}
