package io.gatehouse.upstream.internal;

import static io.gatehouse.upstream.internal.Fixtures.await;
import static io.gatehouse.upstream.internal.Fixtures.config;
import static io.gatehouse.upstream.internal.Fixtures.message;
import static io.gatehouse.upstream.internal.Fixtures.mqtt;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.api.identity.Identity;
import io.gatehouse.api.identity.IdentityId;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A parent that refuses one sender's connection (Mosquitto admitting only client ids starting
 * with "gw", as a parent that does not know a leaf yet): the others' messages go on, the refused
 * sender's wait in the store and go, in order, once the parent takes it.
 */
class RefusedSenderTest {
    static Mosquitto mosquitto;
    static Parent parent;
    @TempDir
    Path state;

    @BeforeAll
    static void startParent() throws Exception {
        mosquitto = Mosquitto.started("clientid_prefixes gw");
        parent = Parent.connect(mosquitto.uri(), "gw-parent-double");
    }

    @AfterAll
    static void stopParent() throws Exception {
        if (parent != null) parent.close();
        if (mosquitto != null) mosquitto.stop();
    }

    @Test
    void aRefusedSenderWaitsWithoutHoldingBackTheOthersAndGoesInOrderOnceAccepted() throws Exception {
        MemoryStore store = new MemoryStore();
        MemoryRegistry registry = new MemoryRegistry()
                .with(new Identity(IdentityId.device("leaf9"), "a2V5", "a2V5", false, "gw9"));
        store.append(message("gw9", null, "a0", "{}"));
        store.append(message("leaf9", null, "l0", "{}"));
        store.append(message("gw9", null, "a1", "{}"));
        store.append(message("leaf9", null, "l1", "{}"));
        store.append(message("gw9", null, "a2", "{}"));
        UpstreamComponent upstream = new UpstreamComponent(store, registry, new HmacSigner(),
                config(mqtt(mosquitto, "gw9", state)));
        try {
            await("the gateway's own messages went", () -> store.acknowledged() == 3, store::pending);
            await("the refused sender was tried again", () -> store.consumersOpened() >= 3);
            assertThat(store.pending()).isEqualTo(2);
            assertThat(parent.telemetry("devices/leaf9/")).isEmpty();

            // the parent learns the leaf: it restarts admitting every client id
            mosquitto.stop();
            mosquitto.configure();
            mosquitto.start();
            await("the leaf's messages went", () -> store.pending() == 0, store::pending);
            await("the parent double has them", () -> parent.telemetry("devices/leaf9/").size() >= 2);
            List<String> leaf = parent.telemetry("devices/leaf9/").stream()
                    .map(r -> r.topic().substring(r.topic().indexOf("%24.mid=") + 8)).distinct().toList();
            assertThat(leaf).containsExactly("l0", "l1");
            assertThat(parent.telemetry("devices/gw9/")).hasSizeGreaterThanOrEqualTo(3);
        } finally {
            upstream.deactivate();
        }
    }
}
