package io.gatehouse.upstream.internal;

import static io.gatehouse.upstream.internal.Fixtures.await;
import static io.gatehouse.upstream.internal.Fixtures.config;
import static io.gatehouse.upstream.internal.Fixtures.mqtt;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.method.MethodRequest;
import io.gatehouse.api.method.MethodResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The twins and direct methods of the leaf devices directly below this gateway, mirrored through a
 * parent played by Mosquitto, on each leaf's own connection (the one that carries its telemetry and
 * its cloud-to-device messages). A device below a child gateway is not mirrored here, and a leaf
 * that leaves the scope stops being mirrored.
 */
class MirroredLeavesTest {
    static Mosquitto mosquitto;
    static Parent parent;
    private final ObjectMapper json = new ObjectMapper();
    private final List<UpstreamComponent> started = new ArrayList<>();
    @TempDir
    Path state;

    @BeforeAll
    static void startParent() throws Exception {
        mosquitto = Mosquitto.started();
        parent = Parent.connect(mosquitto.uri());
    }

    @AfterAll
    static void stopParent() throws Exception {
        if (parent != null) parent.close();
        if (mosquitto != null) mosquitto.stop();
    }

    @BeforeEach
    void resetParent() {
        parent.reportedPatches.clear();
        parent.methodAnswers.clear();
        parent.reportedStatus = 204;
        parent.reportedAnswer = "";
        parent.everyTwin = "{\"desired\":{\"$version\":1},\"reported\":{\"$version\":1}}";
    }

    @AfterEach
    void stopUpstreams() {
        started.forEach(UpstreamComponent::deactivate);
        parent.scopeBody = "{\"identities\":[]}";
    }

    /**
     * The scope of gateway {@code gw}: leaf {@code {gw}-leaf} directly below it, child gateway
     * {@code {gw}-child} (with its {@code $edgeHub}) and grandchild {@code {gw}-grand} below that child.
     */
    private static String scope(String gw, boolean withLeaf) {
        String leaf = "{\"deviceId\":\"" + gw + "-leaf\",\"primaryKey\":\"cDE=\",\"secondaryKey\":\"czE=\","
                + "\"edgeDevice\":false,\"parentDeviceId\":\"" + gw + "\"},";
        return "{\"identities\":[" + (withLeaf ? leaf : "")
                + "{\"deviceId\":\"" + gw + "-child\",\"primaryKey\":\"cDI=\",\"secondaryKey\":\"czI=\","
                + "\"edgeDevice\":true,\"parentDeviceId\":\"" + gw + "\"},"
                + "{\"deviceId\":\"" + gw + "-child\",\"moduleId\":\"$edgeHub\",\"primaryKey\":\"cDM=\",\"secondaryKey\":\"czM=\"},"
                + "{\"deviceId\":\"" + gw + "-grand\",\"primaryKey\":\"cDQ=\",\"secondaryKey\":\"czQ=\","
                + "\"edgeDevice\":false,\"parentDeviceId\":\"" + gw + "-child\"}]}";
    }

    private UpstreamComponent upstream(String deviceId, MemoryTwinStore twins, Map<String, Object> extra) {
        Map<String, Object> c = mqtt(mosquitto, deviceId, state);
        c.putAll(extra);
        UpstreamComponent u = new UpstreamComponent(new MemoryStore(), new MemoryRegistry(), new HmacSigner(), config(c));
        started.add(u);
        u.bindTwinStore(twins);
        return u;
    }

    private static String status(Parent.Received answer) {
        String rest = answer.topic().substring("$iothub/methods/res/".length());
        return rest.substring(0, rest.indexOf('/'));
    }

    @Test
    void aLeafDirectlyBelowGetsItsDesiredPropertiesAndSendsItsReportedOnesButAGrandchildIsNotMirrored()
            throws Exception {
        IdentityId leaf = IdentityId.device("lg1-leaf");
        IdentityId grandchild = IdentityId.device("lg1-grand");
        MemoryTwinStore twins = new MemoryTwinStore();
        twins.replaceDesired(leaf, "{\"stale\":true}");
        twins.patchReported(grandchild, "{\"grandchild\":1}");
        parent.scopeBody = scope("lg1", true);
        parent.everyTwin = """
                {"desired":{"interval":10,"$version":4,"$metadata":{"$lastUpdated":"2026-01-01T00:00:00Z"}},
                 "reported":{"$version":1}}""";
        upstream("lg1", twins, Map.of());

        await("the parent's desired properties reached the leaf's local twin", () -> twins.desired(leaf).has("interval"),
                () -> twins.desired(leaf));
        assertThat(twins.desired(leaf)).isEqualTo(json.readTree("{\"interval\":10}"));
        await("the leaf's one connection subscribed to its cloud-to-device messages, its twin and its methods",
                () -> mosquitto.subscriptions("lg1-leaf").containsAll(List.of("devices/lg1-leaf/messages/devicebound/#",
                        TwinClient.RESPONSES, TwinClient.DESIRED_PATCHES, MethodRelay.REQUESTS)),
                () -> mosquitto.subscriptions("lg1-leaf"));
        assertThat(mosquitto.connectLines()).filteredOn(l -> l.contains(" as lg1-leaf ")).hasSize(1)
                .allSatisfy(l -> assertThat(l).contains("auth-chain=lg1-leaf;lg1"));

        parent.desiredPatch(5, "{\"interval\":20,\"$version\":5}");
        await("the patch reached the leaf's local twin", () -> twins.desired(leaf).get("interval").asInt() == 20,
                () -> twins.desired(leaf));

        twins.patchReported(leaf, "{\"temp\":21}");
        await("the leaf's reported properties went up", () -> parent.reportedPatches.stream().anyMatch(p -> p.contains("temp")),
                () -> parent.reportedPatches);
        assertThat(mosquitto.publishesFrom("lg1-leaf", "$iothub/twin/PATCH/properties/reported/"))
                .as("on the leaf's own connection").isEqualTo(1);
        assertThat(json.readTree(parent.reportedPatches.get(0))).isEqualTo(json.readTree("{\"temp\":21}"));
        await("the pushed version was recorded", () -> Files.exists(new PushedReports(state, json).file(leaf)));

        // the grandchild has its connection for its cloud-to-device messages, but no twin nor methods here
        await("the grandchild's connection subscribed", () -> mosquitto.subscribed("lg1-grand"));
        Thread.sleep(1500); // more than a report interval
        assertThat(mosquitto.subscriptions("lg1-grand")).containsExactly("devices/lg1-grand/messages/devicebound/#");
        assertThat(mosquitto.publishesFrom("lg1-grand", "$iothub/")).isZero();
        assertThat(parent.reportedPatches).noneMatch(p -> p.contains("grandchild"));
        assertThat(twins.desired(grandchild)).as("its local twin is untouched").isEqualTo(json.readTree("{}"));
        assertThat(new PushedReports(state, json).file(grandchild)).doesNotExist();
        assertThat(mosquitto.subscriptions("lg1-child")).as("the child gateway is nobody's leaf").isEmpty();
    }

    @Test
    void aMethodCalledAtTheParentOnTheLeafIsAnsweredByTheLocalInvokerOr404WhenTheLeafIsNotConnected()
            throws Exception {
        IdentityId leaf = IdentityId.device("lg2-leaf");
        parent.scopeBody = scope("lg2", true);
        UpstreamComponent upstream = upstream("lg2", new MemoryTwinStore(), Map.of());
        ScriptedInvoker head = new ScriptedInvoker(Set.of(leaf),
                r -> new MethodResult(200, "{\"from\":\"" + r.target() + "\",\"got\":" + r.payloadJson() + "}"));
        upstream.bindMethodInvoker(head);
        await("the leaf's connection subscribed to method calls",
                () -> mosquitto.subscriptions("lg2-leaf").contains(MethodRelay.REQUESTS));

        parent.callMethod("reboot", "l1", "{\"delay\":3}");
        // $edgeAgent's connection takes the same call (Mosquitto): the leaf's answer is the one from it
        await("the leaf's answer", () -> parent.methodAnswers("l1").stream().anyMatch(a -> status(a).equals("200")),
                () -> parent.methodAnswers);
        Parent.Received answer = parent.methodAnswers("l1").stream().filter(a -> status(a).equals("200")).findFirst()
                .orElseThrow();
        assertThat(answer.topic()).isEqualTo("$iothub/methods/res/200/?$rid=l1");
        assertThat(json.readTree(answer.payload())).isEqualTo(json.readTree("{\"from\":\"lg2-leaf\",\"got\":{\"delay\":3}}"));
        assertThat(head.requests).filteredOn(r -> r.target().equals(leaf)).singleElement()
                .satisfies(r -> assertThat(r.methodName()).isEqualTo("reboot"));

        // the leaf is not connected here any more: the invoker's 404 goes back
        upstream.unbindMethodInvoker(head);
        ScriptedInvoker nobody = new ScriptedInvoker(Set.of(), r -> new MethodResult(200, null));
        upstream.bindMethodInvoker(nobody);
        parent.callMethod("reboot", "l2", "{}");
        await("both connections answered", () -> parent.methodAnswers("l2").size() == 2, () -> parent.methodAnswers);
        assertThat(parent.methodAnswers("l2")).allSatisfy(a -> assertThat(status(a)).isEqualTo("404"))
                .anySatisfy(a -> assertThat(json.readTree(a.payload()))
                        .isEqualTo(json.readTree("{\"message\":\"lg2-leaf is not connected\"}")));
        assertThat(nobody.requests).extracting(MethodRequest::target).contains(leaf);
    }

    @Test
    void aLeafThatLeavesTheScopeLosesItsConnectionAndItsRecordAndIsNoLongerMirrored() throws Exception {
        IdentityId leaf = IdentityId.device("lg3-leaf");
        MemoryTwinStore twins = new MemoryTwinStore();
        twins.patchReported(leaf, "{\"a\":1}");
        parent.scopeBody = scope("lg3", true);
        upstream("lg3", twins, Map.of("scopeRefreshSecs", 1, "idleConnectionTimeoutSecs", 1));
        Path record = new PushedReports(state, json).file(leaf);
        await("the leaf's reported properties were pushed", () -> Files.exists(record));
        assertThat(parent.reportedPatches).hasSize(1);
        long disconnects = mosquitto.disconnects("lg3-leaf");
        Thread.sleep(2500); // the idle sweep runs every second: a mirrored leaf is spared
        assertThat(mosquitto.disconnects("lg3-leaf")).isEqualTo(disconnects);

        parent.scopeBody = scope("lg3", false);
        await("its connection was closed", () -> mosquitto.disconnects("lg3-leaf") > disconnects);
        await("its record was forgotten", () -> !Files.exists(record));
        long connects = mosquitto.connectLines().stream().filter(l -> l.contains(" as lg3-leaf ")).count();
        twins.patchReported(leaf, "{\"b\":2}");
        Thread.sleep(2500); // two report intervals
        assertThat(parent.reportedPatches).as("nothing more goes up for it").hasSize(1);
        assertThat(mosquitto.connectLines().stream().filter(l -> l.contains(" as lg3-leaf ")).count())
                .as("it is not connected again").isEqualTo(connects);
        assertThat(mosquitto.disconnected("lg3/$edgeAgent")).as("the agent's twin connection stays").isFalse();
    }
}
