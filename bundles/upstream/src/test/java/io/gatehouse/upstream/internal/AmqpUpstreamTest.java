package io.gatehouse.upstream.internal;

import static io.gatehouse.upstream.internal.Fixtures.amqp;
import static io.gatehouse.upstream.internal.Fixtures.await;
import static io.gatehouse.upstream.internal.Fixtures.config;
import static io.gatehouse.upstream.internal.Fixtures.message;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.api.identity.Identity;
import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.message.SystemProperties;
import io.gatehouse.api.method.MethodResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.messaging.ApplicationProperties;
import org.apache.qpid.proton.amqp.messaging.Data;
import org.apache.qpid.proton.amqp.messaging.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real runtime over AMQP against a Proton-J parent: one connection, a token per identity, batches. */
class AmqpUpstreamTest {
    private AmqpParent parent;
    private final List<UpstreamComponent> started = new ArrayList<>();
    private final ObjectMapper json = new ObjectMapper();
    @TempDir
    Path state;

    @BeforeEach
    void startParent() throws Exception {
        parent = new AmqpParent();
    }

    @AfterEach
    void stop() throws Exception {
        started.forEach(UpstreamComponent::deactivate);
        parent.close();
    }

    private UpstreamComponent upstream(MemoryStore store, MemoryRegistry registry, HmacSigner signer,
            Map<String, Object> config) {
        UpstreamComponent c = new UpstreamComponent(store, registry, signer, config(config));
        started.add(c);
        return c;
    }

    private static List<String> ids(List<AmqpParent.Telemetry> received) {
        return received.stream().map(AmqpParent.Telemetry::messageId).distinct().toList();
    }

    @Test
    void twoSendersGoInBatchesInOrderOnOneConnectionEachWithItsOwnToken() throws Exception {
        MemoryStore store = new MemoryStore();
        MemoryRegistry registry = new MemoryRegistry()
                .with(new Identity(IdentityId.device("leaf1"), "a2V5", "a2V5", false, "gw1"));
        HmacSigner signer = new HmacSigner();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            store.append(message("gw1", null, "m" + i, "{\"n\":" + i + "}").toBuilder()
                    .systemProperty(SystemProperties.CONTENT_TYPE, "application/json")
                    .systemProperty(SystemProperties.CREATION_TIME, "2026-01-02T03:04:05.123456Z")
                    .property("seq", Integer.toString(i)).build());
            store.append(message("leaf1", null, "m" + i, "{}"));
            expected.add("m" + i);
        }

        upstream(store, registry, signer, amqp(parent, "gw1", state));

        await("every message was acknowledged", () -> store.pending() == 0, store::pending);
        assertThat(ids(parent.telemetry("gw1"))).isEqualTo(expected);
        assertThat(ids(parent.telemetry("leaf1"))).isEqualTo(expected);
        assertThat(store.acknowledged()).isEqualTo(60);
        assertThat(parent.telemetry).as("batches of up to maxBatchSize").allSatisfy(t -> assertThat(t.batchSize())
                .isBetween(1, 10));
        assertThat(parent.telemetry).as("most went batched").filteredOn(t -> t.format() == TelemetryBatcher.BATCH_FORMAT)
                .hasSizeGreaterThan(30);

        AmqpParent.Telemetry third = parent.telemetry("gw1").get(3);
        assertThat(third.message().getContentType()).isEqualTo("application/json");
        assertThat(third.message().getApplicationProperties().getValue()).containsEntry("seq", "3");
        assertThat(third.message().getMessageAnnotations().getValue())
                .containsEntry(Symbol.valueOf("iothub-creation-time-utc"), "2026-01-02T03:04:05.123456Z");
        assertThat(new String(((Data) third.message().getBody()).getValue().getArray(),
                ((Data) third.message().getBody()).getValue().getArrayOffset(),
                ((Data) third.message().getBody()).getValue().getLength(), StandardCharsets.UTF_8)).isEqualTo("{\"n\":3}");

        // one connection, as {deviceId}/$edgeHub; the gateway without a chain, the leaf on behalf
        assertThat(parent.containers).containsExactly("gw1/$edgeHub");
        assertThat(parent.tokens).contains(new AmqpParent.Token("amqps://127.0.0.1/devices/gw1", null, 200),
                new AmqpParent.Token("amqps://127.0.0.1/devices/leaf1", "leaf1;gw1", 200));
        assertThat(signer.signed).allSatisfy(s -> assertThat(s.key()).isEqualTo(Fixtures.DEVICE_KEY));
    }

    @Test
    void whileTheParentIsDownMessagesWaitAndGoInOrderOnceItIsBack() throws Exception {
        MemoryStore store = new MemoryStore();
        MemoryRegistry registry = new MemoryRegistry()
                .with(new Identity(IdentityId.device("leaf3"), "a2V5", "a2V5", false, "gw3"));
        UpstreamComponent upstream = upstream(store, registry, new HmacSigner(), amqp(parent, "gw3", state));
        for (int i = 0; i < 3; i++) store.append(message("gw3", null, "before" + i, "{}"));
        await("the first messages went", () -> store.acknowledged() == 3);

        parent.stop();
        await("the link noticed", () -> !upstream.linkUp());
        List<String> own = new ArrayList<>(List.of("before0", "before1", "before2"));
        List<String> leaf = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            store.append(message("gw3", null, "own" + i, "{}"));
            store.append(message("leaf3", null, "leaf" + i, "{}"));
            own.add("own" + i);
            leaf.add("leaf" + i);
        }
        Thread.sleep(1500);
        assertThat(store.pending()).as("nothing leaves the store while the parent is away").isEqualTo(50);

        parent.start();
        await("everything was acknowledged after the parent came back", () -> store.pending() == 0, store::pending);
        assertThat(upstream.linkUp()).isTrue();
        assertThat(ids(parent.telemetry("gw3"))).isEqualTo(own);
        assertThat(ids(parent.telemetry("leaf3"))).isEqualTo(leaf);
    }

    @Test
    void theScopeAndTheDeploymentComeOverAmqpAndTheLeavesOfTheScopeGetTheirCloudToDeviceMessages() throws Exception {
        parent.scopeBody = """
                {"identities":[
                  {"deviceId":"leaf9","primaryKey":"cDE=","secondaryKey":"czE=","edgeDevice":false,"parentDeviceId":"gw4"},
                  {"deviceId":"child","primaryKey":"cDI=","secondaryKey":"czI=","edgeDevice":true,"parentDeviceId":"gw4"},
                  {"deviceId":"child","moduleId":"$edgeHub","primaryKey":"cDM=","secondaryKey":"czM=","edgeDevice":false}
                ]}""";
        parent.twins.put("gw4/$edgeAgent", TwinAndScopeTest.AGENT_TWIN);
        parent.twins.put("gw4/$edgeHub", TwinAndScopeTest.HUB_TWIN);
        MemoryRegistry registry = new MemoryRegistry();
        MemoryStore store = new MemoryStore();
        RecordingConfigurators configurators = new RecordingConfigurators();
        UpstreamComponent upstream = upstream(store, registry, new HmacSigner(), amqp(parent, "gw4", state));
        upstream.bindHubConfigurator(configurators.hub);
        upstream.bindAgentConfigurator(configurators.agent);

        await("the scope was learned", () -> !registry.scopeReplacements.isEmpty());
        assertThat(registry.scopeReplacements.get(0)).extracting(Identity::id).containsExactly(
                IdentityId.device("leaf9"), IdentityId.device("child"), IdentityId.module("child", "$edgeHub"));
        await("the deployment was applied", () -> configurators.calls.size() == 4, () -> configurators.calls);
        assertThat(configurators.verbs()).containsExactly("hub.validate", "agent.validate", "hub.apply", "agent.apply");
        assertThat(parent.twinRequests).as("both twins subscribed to desired patches").filteredOn(r -> "PUT".equals(
                r.message().getMessageAnnotations().getValue().get(Symbol.valueOf("operation"))))
                .extracting(AmqpParent.Request::address)
                .contains("/devices/gw4/modules/$edgeAgent/twin", "/devices/gw4/modules/$edgeHub/twin");
        assertThat(parent.links.get("in:/devices/gw4/modules/$edgeAgent/twin"))
                .hasEntrySatisfying(Symbol.valueOf("com.microsoft:channel-correlation-id"),
                        v -> assertThat(v.toString()).startsWith("twin:"));

        // the leaf, not the child gateway, gets a cloud-to-device receiver, on behalf with its chain
        await("leaf9's cloud-to-device link", () -> parent.hasReceiverAt("/devices/leaf9/messages/deviceBound"));
        assertThat(parent.hasReceiverAt("/devices/child/messages/deviceBound")).isFalse();
        assertThat(parent.tokens).contains(new AmqpParent.Token("amqps://127.0.0.1/devices/leaf9", "leaf9;gw4", 200));
        org.apache.qpid.proton.message.Message c2d = org.apache.qpid.proton.message.Message.Factory.create();
        Properties p = new Properties();
        p.setMessageId("c2d-1");
        p.setCorrelationId("corr-1");
        p.setAbsoluteExpiryTime(new Date(System.currentTimeMillis() + 3_600_000));
        c2d.setProperties(p);
        Map<String, Object> application = new HashMap<>(Map.of("iothub-ack", "full", "color", "red"));
        c2d.setApplicationProperties(new ApplicationProperties(application));
        c2d.setBody(new Data(new Binary("hello leaf".getBytes(StandardCharsets.UTF_8))));
        parent.cloudToDevice("leaf9", c2d);

        await("the parent got its outcome", () -> !parent.cloudToDeviceOutcomes.isEmpty());
        assertThat(parent.cloudToDeviceOutcomes).containsExactly("Accepted");
        assertThat(store.others).hasSize(1);
        MemoryStore.Appended appended = store.others.get(0);
        assertThat(appended.target().endpointId()).isEqualTo("$c2d/leaf9");
        assertThat(appended.target().timeToLiveSecs()).isBetween(3590L, 3600L);
        assertThat(appended.message().systemProperty(SystemProperties.MESSAGE_ID)).isEqualTo("c2d-1");
        assertThat(appended.message().systemProperty(SystemProperties.CORRELATION_ID)).isEqualTo("corr-1");
        assertThat(appended.message().systemProperty(SystemProperties.ACK)).isEqualTo("full");
        assertThat(appended.message().systemProperty(SystemProperties.TO)).isEqualTo("/devices/leaf9/messages/deviceBound");
        assertThat(appended.message().properties()).containsExactly(Map.entry("color", "red"));
        assertThat(new String(appended.message().body(), StandardCharsets.UTF_8)).isEqualTo("hello leaf");
    }

    @Test
    void aMethodCallOnAMirroredModuleIsRelayedAndAnsweredWithItsCorrelationId() throws Exception {
        MemoryRegistry registry = new MemoryRegistry().with(new Identity(IdentityId.module("gw5", "m1"), "a2V5", "a2V5"));
        UpstreamComponent upstream = upstream(new MemoryStore(), registry, new HmacSigner(), amqp(parent, "gw5", state));
        upstream.bindTwinStore(new MemoryTwinStore());
        ScriptedInvoker head = new ScriptedInvoker(Set.of(IdentityId.module("gw5", "m1")),
                r -> new MethodResult(201, "{\"got\":" + r.payloadJson() + "}"));
        upstream.bindMethodInvoker(head);
        await("m1's methods link", () -> parent.hasReceiverAt("/devices/gw5/modules/m1/methods/devicebound"));
        assertThat(parent.tokens).contains(new AmqpParent.Token("amqps://127.0.0.1/devices/gw5/modules/m1",
                "gw5%2Fm1;gw5", 200));
        assertThat(parent.links.get("out:/devices/gw5/modules/m1/methods/devicebound"))
                .hasEntrySatisfying(Symbol.valueOf("com.microsoft:channel-correlation-id"),
                        v -> assertThat(v.toString()).startsWith("methods:"));

        UUID call = UUID.randomUUID();
        parent.callMethod("gw5/m1", "reboot", call, "{\"delay\":3}");
        await("the answer", () -> !parent.methodAnswers.isEmpty());
        org.apache.qpid.proton.message.Message answer = parent.methodAnswers.get(0);
        assertThat(answer.getCorrelationId()).as("echoed as it came: a UUID").isEqualTo(call);
        assertThat(answer.getApplicationProperties().getValue()).containsEntry("IoThub-status", 201);
        assertThat(json.readTree(AmqpParentChannel.bodyOf(answer))).isEqualTo(json.readTree("{\"got\":{\"delay\":3}}"));
        assertThat(head.requests).extracting(r -> r.methodName()).containsExactly("reboot");
    }

    @Test
    void aLeafDirectlyBelowHasItsTwinMirroredAndItsMethodsRelayedOnItsSessionButAGrandchildDoesNot() throws Exception {
        String withLeaf = """
                {"identities":[
                  {"deviceId":"aleaf","primaryKey":"cDE=","secondaryKey":"czE=","edgeDevice":false,"parentDeviceId":"gw10"},
                  {"deviceId":"achild","primaryKey":"cDI=","secondaryKey":"czI=","edgeDevice":true,"parentDeviceId":"gw10"},
                  {"deviceId":"agrand","primaryKey":"cDM=","secondaryKey":"czM=","edgeDevice":false,"parentDeviceId":"achild"}
                ]}""";
        parent.scopeBody = withLeaf;
        parent.twins.put("aleaf", "{\"desired\":{\"interval\":10,\"$version\":3},\"reported\":{\"old\":1,\"$version\":2}}");
        IdentityId leaf = IdentityId.device("aleaf");
        IdentityId grandchild = IdentityId.device("agrand");
        MemoryTwinStore twins = new MemoryTwinStore();
        twins.patchReported(leaf, "{\"temp\":20}");
        twins.patchReported(grandchild, "{\"grandchild\":1}");
        Map<String, Object> config = amqp(parent, "gw10", state);
        config.put("scopeRefreshSecs", 1);
        UpstreamComponent upstream = upstream(new MemoryStore(), new MemoryRegistry(), new HmacSigner(), config);
        upstream.bindTwinStore(twins);
        ScriptedInvoker head = new ScriptedInvoker(Set.of(leaf),
                r -> new MethodResult(200, "{\"from\":\"" + r.target() + "\"}"));
        upstream.bindMethodInvoker(head);

        await("the parent's desired properties reached the leaf's local twin", () -> twins.desired(leaf).has("interval"),
                () -> twins.desired(leaf));
        assertThat(twins.desired(leaf)).isEqualTo(json.readTree("{\"interval\":10}"));
        assertThat(parent.tokens).contains(new AmqpParent.Token("amqps://127.0.0.1/devices/aleaf", "aleaf;gw10", 200));
        assertThat(parent.twinRequests).as("the leaf's twin subscribed to desired patches")
                .anySatisfy(r -> assertThat(r.address() + " " + operation(r)).isEqualTo("/devices/aleaf/twin PUT"));

        // reported: the difference with the parent's twin, on the leaf's twin link
        await("the leaf's reported properties went up", () -> patches(parent, "/devices/aleaf/twin").size() == 1);
        assertThat(json.readTree(patches(parent, "/devices/aleaf/twin").get(0)))
                .isEqualTo(json.readTree("{\"old\":null,\"temp\":20}"));

        parent.desiredPatch("aleaf", 4, "{\"interval\":20}");
        await("the patch reached the leaf's local twin", () -> twins.desired(leaf).get("interval").asInt() == 20);

        await("the leaf's methods link", () -> parent.hasReceiverAt("/devices/aleaf/methods/devicebound"));
        UUID call = UUID.randomUUID();
        parent.callMethod("aleaf", "reboot", call, "{}");
        await("the answer", () -> !parent.methodAnswers.isEmpty());
        org.apache.qpid.proton.message.Message answer = parent.methodAnswers.get(0);
        assertThat(answer.getCorrelationId()).isEqualTo(call);
        assertThat(answer.getApplicationProperties().getValue()).containsEntry("IoThub-status", 200);
        assertThat(json.readTree(AmqpParentChannel.bodyOf(answer))).isEqualTo(json.readTree("{\"from\":\"aleaf\"}"));
        assertThat(head.requests).extracting(r -> r.target()).containsExactly(leaf);

        // the grandchild: its cloud-to-device link on its own session, no twin, no methods
        await("the grandchild's cloud-to-device link", () -> parent.hasReceiverAt("/devices/agrand/messages/deviceBound"));
        assertThat(parent.links).doesNotContainKeys("out:/devices/agrand/twin", "in:/devices/agrand/twin",
                "out:/devices/agrand/methods/devicebound", "out:/devices/achild/twin");
        assertThat(twins.desired(grandchild)).isEqualTo(json.readTree("{}"));

        // the leaf leaves the scope: its links go, its record is forgotten, nothing more goes up
        Path record = new PushedReports(state, json).file(leaf);
        assertThat(record).exists();
        parent.scopeBody = withLeaf.replaceFirst("\\{\"deviceId\":\"aleaf\"[^}]*},", "");
        await("the leaf's links were detached", () -> !parent.hasReceiverAt("/devices/aleaf/twin")
                && !parent.hasReceiverAt("/devices/aleaf/methods/devicebound"));
        await("its record was forgotten", () -> !java.nio.file.Files.exists(record));
        twins.patchReported(leaf, "{\"temp\":21}");
        Thread.sleep(2500); // two report intervals
        assertThat(patches(parent, "/devices/aleaf/twin")).hasSize(1);
        assertThat(parent.hasReceiverAt("/devices/agrand/messages/deviceBound")).as("the grandchild keeps its link")
                .isTrue();
    }

    private static Object operation(AmqpParent.Request r) {
        return r.message().getMessageAnnotations().getValue().get(Symbol.valueOf("operation"));
    }

    /** The reported patches that came on {@code address}, as text. */
    private static List<String> patches(AmqpParent parent, String address) {
        return parent.twinRequests.stream().filter(r -> r.address().equals(address) && "PATCH".equals(operation(r)))
                .map(r -> new String(AmqpParentChannel.bodyOf(r.message()), StandardCharsets.UTF_8)).toList();
    }

    @Test
    void aRefusedTokenHoldsBackOnlyThatSendersMessages() throws Exception {
        parent.refusedAudience = name -> name.endsWith("/devices/stranger");
        MemoryStore store = new MemoryStore();
        upstream(store, new MemoryRegistry(), new HmacSigner(), amqp(parent, "gw6", state));
        store.append(message("stranger", null, "s0", "{}"));
        for (int i = 0; i < 5; i++) store.append(message("gw6", null, "own" + i, "{}"));
        await("the gateway's own messages went", () -> parent.telemetry("gw6").size() >= 5);
        assertThat(ids(parent.telemetry("gw6"))).containsExactly("own0", "own1", "own2", "own3", "own4");
        assertThat(parent.telemetry("stranger")).isEmpty();
        assertThat(store.pending()).as("the refused sender's message waits, and so does what follows it").isPositive();

        parent.refusedAudience = name -> false;
        await("the stranger's message went once the parent took its token", () -> store.pending() == 0,
                store::pending);
        assertThat(ids(parent.telemetry("stranger"))).containsExactly("s0");
    }

    @Test
    void aRejectedOrReleasedBatchIsNotAcknowledgedAndGoesAgainInOrder() throws Exception {
        org.apache.qpid.proton.amqp.messaging.Rejected rejected = new org.apache.qpid.proton.amqp.messaging.Rejected();
        rejected.setError(new org.apache.qpid.proton.amqp.transport.ErrorCondition(
                Symbol.valueOf("amqp:resource-limit-exceeded"), "store full"));
        parent.nextTelemetryOutcomes.add(rejected);
        parent.nextTelemetryOutcomes.add(org.apache.qpid.proton.amqp.messaging.Released.getInstance());
        MemoryStore store = new MemoryStore();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            store.append(message("gw7", null, "m" + i, "{}"));
            expected.add("m" + i);
        }
        upstream(store, new MemoryRegistry(), new HmacSigner(), amqp(parent, "gw7", state));

        await("everything was acknowledged", () -> store.pending() == 0, store::pending);
        assertThat(parent.refusedTransfers).containsExactly("Rejected 10", "Released 10");
        // batches sent after the refused ones may be stored first (they were in flight); the resend then
        // brings everything from the refused batch on again, in order: at least once, never lost
        List<String> received = parent.telemetry("gw7").stream().map(AmqpParent.Telemetry::messageId).toList();
        assertThat(received.subList(received.size() - 25, received.size())).isEqualTo(expected);
        assertThat(received).hasSize(30);
        assertThat(store.acknowledged()).isEqualTo(25);
    }

    @Test
    void tokensAreRenewedOnTheLiveConnectionBeforeTheyExpire() throws Exception {
        Map<String, Object> config = amqp(parent, "gw8", state);
        config.put("tokenValiditySecs", 2);
        UpstreamComponent upstream = upstream(new MemoryStore(), new MemoryRegistry(), new HmacSigner(), config);
        await("the token was renewed twice", () -> parent.tokens.stream()
                .filter(t -> t.name().equals("amqps://127.0.0.1/devices/gw8")).count() >= 3, () -> parent.tokens);
        assertThat(upstream.linkUp()).isTrue();
        assertThat(parent.containers).as("on the same connection").hasSize(1);
    }
}
