package io.gatehouse.upstream.internal;

import static io.gatehouse.upstream.internal.Fixtures.await;
import static io.gatehouse.upstream.internal.Fixtures.config;
import static io.gatehouse.upstream.internal.Fixtures.mqtt;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.api.identity.Identity;
import io.gatehouse.api.identity.IdentityId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The twins of this gateway's own modules mirrored through a parent played by Mosquitto: desired
 * properties come down, reported ones go up, also across an outage and a restart.
 */
class MirroredTwinsTest {
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
        parent.reportedStatus = 204;
        parent.reportedAnswer = "";
        parent.twinGets.set(0);
    }

    @AfterEach
    void stopUpstreams() {
        started.forEach(UpstreamComponent::deactivate);
    }

    private UpstreamComponent upstream(String deviceId, MemoryRegistry registry, MemoryTwinStore twins) {
        UpstreamComponent u = new UpstreamComponent(new MemoryStore(), registry, new HmacSigner(),
                config(mqtt(mosquitto, deviceId, state)));
        started.add(u);
        u.bindTwinStore(twins);
        return u;
    }

    private long recordedVersion(Path record) {
        try {
            return json.readTree(Files.readString(record)).get("version").asLong();
        } catch (java.io.IOException e) {
            return -1;
        }
    }

    private static MemoryRegistry registryWith(IdentityId module) {
        return new MemoryRegistry().with(new Identity(module, "a2V5", "a2V5"));
    }

    @Test
    void desiredPropertiesFromTheParentReplaceTheLocalOnesAtConnectThenPatchesFollowAndBadOnesChangeNothing()
            throws Exception {
        IdentityId m1 = IdentityId.module("mt1", "m1");
        MemoryTwinStore twins = new MemoryTwinStore();
        twins.replaceDesired(m1, "{\"interval\":5,\"stale\":true}");
        parent.everyTwin = """
                {"desired":{"interval":10,"mode":"fast","$version":4,"$metadata":{"$lastUpdated":"2026-01-01T00:00:00Z"}},
                 "reported":{"$version":1}}""";
        upstream("mt1", registryWith(m1), twins);

        await("the parent's desired properties were taken", () -> twins.desired(m1).has("mode"), () -> twins.desired(m1));
        assertThat(twins.desired(m1)).isEqualTo(json.readTree("{\"interval\":10,\"mode\":\"fast\"}"));
        MemoryTwinStore.DesiredChange replaced = twins.desiredChanges.get(twins.desiredChanges.size() - 1);
        assertThat(json.readTree(replaced.patchJson())).as("the local module is told the difference")
                .isEqualTo(json.readTree("{\"interval\":10,\"mode\":\"fast\",\"stale\":null}"));

        parent.desiredPatch(5, "{\"interval\":20,\"$version\":5}");
        await("the patch was taken", () -> twins.desired(m1).get("interval").asInt() == 20, () -> twins.desired(m1));
        assertThat(twins.desired(m1)).isEqualTo(json.readTree("{\"interval\":20,\"mode\":\"fast\"}"));

        // patches come in order on one connection: when the last one is in, the ones before were handled
        parent.desiredPatch(4, "{\"interval\":99,\"$version\":4}"); // already in the twin read at connect
        parent.desiredPatch(6, "{\"label\":\"" + "x".repeat(5000) + "\",\"$version\":6}"); // the store refuses it
        parent.desiredPatch(7, "{\"mode\":\"eco\",\"$version\":7}");
        await("the last patch was taken", () -> twins.desired(m1).get("mode").asText().equals("eco"),
                () -> twins.desired(m1));
        assertThat(twins.desired(m1)).as("an old patch and a refused one changed nothing")
                .isEqualTo(json.readTree("{\"interval\":20,\"mode\":\"eco\"}"));
        assertThat(twins.desiredChanges).extracting(MemoryTwinStore.DesiredChange::patchJson)
                .noneMatch(p -> p.contains("$version"));
    }

    @Test
    void reportedChangesGoUpAsDifferencesAlsoAfterAnOutageAndAreNotSentAgainAfterARestart() throws Exception {
        IdentityId m1 = IdentityId.module("mt2", "m1");
        MemoryTwinStore twins = new MemoryTwinStore();
        twins.patchReported(m1, "{\"temp\":20}");
        parent.everyTwin = "{\"desired\":{\"$version\":1},\"reported\":{\"old\":true,\"$version\":3}}";
        UpstreamComponent first = upstream("mt2", registryWith(m1), twins);

        await("the reported properties went up", () -> !parent.reportedPatches.isEmpty());
        assertThat(json.readTree(parent.reportedPatches.get(0))).as("the difference with the parent's twin")
                .isEqualTo(json.readTree("{\"old\":null,\"temp\":20}"));
        Path record = new PushedReports(state, json).file(m1);
        await("the pushed version was recorded", () -> Files.exists(record));

        mosquitto.stop();
        await("the link noticed", () -> !first.linkUp());
        twins.patchReported(m1, "{\"temp\":21}");
        twins.patchReported(m1, "{\"hum\":50}");
        mosquitto.start();
        await("the offline changes went up", () -> parent.reportedPatches.size() >= 2, () -> parent.reportedPatches);
        assertThat(json.readTree(parent.reportedPatches.get(1))).isEqualTo(json.readTree("{\"temp\":21,\"hum\":50}"));
        await("the pushed version was recorded", () -> recordedVersion(record) == 4);

        first.deactivate();
        started.remove(first);
        parent.reportedPatches.clear();
        int gets = parent.twinGets.get();
        upstream("mt2", registryWith(m1), twins);
        await("the restarted upstream read the twins", () -> parent.twinGets.get() >= gets + 3);
        Thread.sleep(2500); // two report intervals
        assertThat(parent.reportedPatches).as("what the parent took is not sent again").isEmpty();

        twins.patchReported(m1, "{\"hum\":55}");
        await("the next change went up", () -> !parent.reportedPatches.isEmpty());
        assertThat(json.readTree(parent.reportedPatches.get(0))).isEqualTo(json.readTree("{\"hum\":55}"));
    }

    @Test
    void aVersionTheParentRefusesIsNotSentAgainButTheNextOneIs() throws Exception {
        IdentityId m1 = IdentityId.module("mt3", "m1");
        MemoryTwinStore twins = new MemoryTwinStore();
        parent.everyTwin = "{\"desired\":{\"$version\":1},\"reported\":{\"$version\":1}}";
        parent.reportedStatus = 400;
        parent.reportedAnswer = "{\"message\":\"too deep\"}";
        twins.patchReported(m1, "{\"a\":1}");
        upstream("mt3", registryWith(m1), twins);

        await("the patch was offered", () -> !parent.reportedPatches.isEmpty());
        Thread.sleep(2500);
        assertThat(parent.reportedPatches).as("a refused version is not retried").hasSize(1);
        assertThat(new PushedReports(state, json).file(m1)).doesNotExist();

        parent.reportedStatus = 204;
        twins.patchReported(m1, "{\"b\":2}");
        await("the next version went", () -> parent.reportedPatches.size() >= 2);
        assertThat(json.readTree(parent.reportedPatches.get(1))).isEqualTo(json.readTree("{\"a\":1,\"b\":2}"));
    }

    @Test
    void aModuleThatLeavesTheRegistryLosesItsConnectionAndItsRecord() throws Exception {
        IdentityId m1 = IdentityId.module("mt4", "m1");
        MemoryTwinStore twins = new MemoryTwinStore();
        twins.patchReported(m1, "{\"a\":1}");
        parent.everyTwin = "{\"desired\":{\"$version\":1},\"reported\":{\"$version\":1}}";
        MemoryRegistry registry = registryWith(m1);
        upstream("mt4", registry, twins);
        Path record = new PushedReports(state, json).file(m1);
        await("the module's reported properties were pushed", () -> Files.exists(record));

        registry.remove(m1);
        await("its connection was closed", () -> mosquitto.disconnected("mt4/m1"));
        await("its record was forgotten", () -> !Files.exists(record));
        assertThat(mosquitto.disconnected("mt4/$edgeAgent")).as("the agent's twin connection stays").isFalse();
    }
}
