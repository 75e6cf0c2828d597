package io.gatehouse.twin.internal;

import static io.gatehouse.twin.internal.TwinStoreFixture.j;
import static io.gatehouse.twin.internal.TwinStoreFixture.tree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.message.Message;
import io.gatehouse.api.message.SystemProperties;
import io.gatehouse.api.route.RouteTarget;
import io.gatehouse.api.twin.InvalidTwinException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reported changes become twin change notifications, routed and stored; nothing else does. */
class TwinChangeNotificationTest {
    private static final IdentityId MODULE = IdentityId.module("edge1", "tempSensor");
    private static final IdentityId DEVICE = IdentityId.device("leaf1");
    private static final Instant NOW = Instant.parse("2024-05-06T07:08:09.123Z");
    private static final RouteTarget TWINS = new RouteTarget("edge1/twins/i", 1, 600);
    private static final RouteTarget UPSTREAM = new RouteTarget("$upstream", RouteTarget.DEFAULT_PRIORITY, -1);

    @TempDir
    Path dir;

    private final MemoryMessageStore queues = new MemoryMessageStore();
    private final SourceRouter router = new SourceRouter()
            .from("/twinChangeNotifications", TWINS)
            .from("/messages/*", UPSTREAM);

    private FileTwinStore wired() {
        FileTwinStore twins = new FileTwinStore(dir, Clock.fixed(NOW, ZoneOffset.UTC));
        twins.setRouter(router);
        twins.setMessageStore(queues);
        return twins;
    }

    private static String body(Message m) {
        return new String(m.body(), StandardCharsets.UTF_8);
    }

    private static long version(Message m) {
        try {
            return tree(body(m)).get("version").asLong();
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + body(m), e);
        }
    }

    @Test
    void aReportedChangeReachesTheTwinRouteWithTheEffectivePatchAndTheNewVersion() throws Exception {
        FileTwinStore twins = wired();

        twins.patchReported(MODULE, j("{'fw':'1.0','a':{'b':1,'c':2}}"));
        long version = twins.patchReported(MODULE, j("{'$version':9,'fw':'1.1','a':{'b':1,'c':null}}"));

        assertThat(version).isEqualTo(3);
        assertThat(queues.appended()).extracting(MemoryMessageStore.Appended::targets)
                .as("only the twin route, with its priority and TTL").containsExactly(List.of(TWINS), List.of(TWINS));
        List<Message> messages = queues.queue("edge1/twins/i");
        assertThat(tree(body(messages.get(0))))
                .isEqualTo(tree(j("{'version':2,'properties':{'reported':{'fw':'1.0','a':{'b':1,'c':2}}}}")));
        assertThat(tree(body(messages.get(1))))
                .as("unchanged values left out, removals as null, ignored keys dropped")
                .isEqualTo(tree(j("{'version':3,'properties':{'reported':{'fw':'1.1','a':{'c':null}}}}")));
    }

    @Test
    void theNotificationCarriesTheSystemAndApplicationPropertiesOfEdgeHubAndIotHub() throws Exception {
        FileTwinStore twins = wired();

        twins.patchReported(MODULE, j("{'t':1}"));
        twins.patchReported(DEVICE, j("{'t':2}"));

        List<Message> messages = queues.queue("edge1/twins/i");
        assertThat(messages).hasSize(2);
        Message fromModule = messages.get(0);
        assertThat(fromModule.systemProperties())
                .containsEntry(SystemProperties.CONNECTION_DEVICE_ID, "edge1")
                .containsEntry(SystemProperties.CONNECTION_MODULE_ID, "$edgeHub")
                .containsEntry(SystemProperties.MESSAGE_TYPE, "twinChangeNotification")
                .containsEntry(SystemProperties.MESSAGE_SCHEMA, "twinChangeNotification")
                .containsEntry(SystemProperties.CONTENT_TYPE, "application/json")
                .containsEntry(SystemProperties.CONTENT_ENCODING, "utf-8")
                .containsEntry(SystemProperties.ENQUEUED_TIME, "2024-05-06T07:08:09.123Z");
        assertThat(fromModule.properties()).containsExactly(
                Map.entry("hubName", "gatehouse"),
                Map.entry("deviceId", "edge1"),
                Map.entry("moduleId", "tempSensor"),
                Map.entry("opType", "updateTwin"),
                Map.entry("iothub-message-schema", "twinChangeNotification"),
                Map.entry("operationTimestamp", "2024-05-06T07:08:09.123Z"));
        assertThat(messages.get(1).properties()).containsEntry("deviceId", "leaf1").doesNotContainKey("moduleId");
        assertThat(SourceRouter.sourceOf(fromModule)).isEqualTo("/twinChangeNotifications");
    }

    @Test
    void theHubsIdentityComesFromTheHubConfiguration() throws Exception {
        TwinChangeNotifier notifier = new TwinChangeNotifier(TwinStoreFixture.MAPPER, Clock.fixed(NOW, ZoneOffset.UTC));
        notifier.configure(new TwinChangeNotifier.Hub("plant7", "contoso-hub.azure-devices.net"));

        Message m = notifier.notification(DEVICE, TwinStoreFixture.MAPPER.createObjectNode().put("x", 1), 4);

        assertThat(m.systemProperty(SystemProperties.CONNECTION_DEVICE_ID)).isEqualTo("plant7");
        assertThat(m.properties()).containsEntry("hubName", "contoso-hub").containsEntry("deviceId", "leaf1");
        assertThat(tree(body(m))).isEqualTo(tree(j("{'version':4,'properties':{'reported':{'x':1}}}")));
    }

    @Test
    void aPatchThatChangesNothingAndADesiredChangeProduceNone() throws Exception {
        FileTwinStore twins = wired();
        twins.patchReported(MODULE, j("{'a':1,'b':{'c':true}}"));

        assertThat(twins.patchReported(MODULE, j("{'a':1,'b':{'c':true}}"))).isEqualTo(2);
        assertThat(twins.patchReported(MODULE, j("{'gone':null}"))).isEqualTo(2);
        assertThat(twins.patchReported(MODULE, j("{'$version':5}"))).isEqualTo(2);
        twins.patchDesired(MODULE, j("{'interval':5}"));
        twins.replaceDesired(MODULE, j("{'interval':6}"));

        assertThat(queues.appended()).hasSize(1);
    }

    @Test
    void aRefusedPatchProducesNoneAndChangesNothing() throws Exception {
        FileTwinStore twins = wired();
        twins.patchReported(MODULE, j("{'a':1}"));

        assertThatThrownBy(() -> twins.patchReported(MODULE, "{\"a\":")).isInstanceOf(InvalidTwinException.class);
        assertThatThrownBy(() -> twins.patchReported(MODULE, j("{'s':'" + "x".repeat(4097) + "'}")))
                .isInstanceOf(InvalidTwinException.class).hasMessageContaining("4097 bytes");
        assertThatThrownBy(() -> twins.patchReported(MODULE, j("{'l':[1,null]}")))
                .isInstanceOf(InvalidTwinException.class);

        assertThat(queues.appended()).hasSize(1);
        assertThat(twins.get(MODULE).reportedVersion()).isEqualTo(2);
    }

    @Test
    void withoutRouterOrStoreThePatchStillSucceedsAndLaterChangesAreNotifiedAgain() throws Exception {
        FileTwinStore twins = new FileTwinStore(dir);

        assertThat(twins.patchReported(MODULE, j("{'a':1}"))).isEqualTo(2);
        twins.setMessageStore(queues);
        assertThat(twins.patchReported(MODULE, j("{'a':2}"))).as("store but no router").isEqualTo(3);
        assertThat(queues.appended()).isEmpty();

        twins.setRouter(router);
        twins.unsetMessageStore(queues);
        assertThat(twins.patchReported(MODULE, j("{'a':3}"))).as("router but no store").isEqualTo(4);
        twins.setMessageStore(queues);
        assertThat(twins.patchReported(MODULE, j("{'a':4}"))).isEqualTo(5);

        assertThat(tree(twins.get(MODULE).reportedJson())).isEqualTo(tree(j("{'a':4}")));
        assertThat(queues.queue("edge1/twins/i")).extracting(TwinChangeNotificationTest::version)
                .containsExactly(5L);
    }

    @Test
    void aStoreThatRefusesCostsTheNotificationButNotThePatch() throws Exception {
        FileTwinStore twins = wired();
        queues.refuse("quota exceeded");

        assertThat(twins.patchReported(MODULE, j("{'a':1}"))).isEqualTo(2);
        assertThat(twins.patchReported(MODULE, j("{'a':2}"))).isEqualTo(3);
        assertThat(new FileTwinStore(dir).get(MODULE).reportedJson()).as("on disk").isEqualTo("{\"a\":2}");

        queues.refuse(null);
        twins.patchReported(MODULE, j("{'a':3}"));
        assertThat(queues.appended()).hasSize(1);
    }

    @Test
    void aStoreReplacedUnderAnAppendHandsTheNotificationToItsSuccessor() throws Exception {
        FileTwinStore twins = wired();
        MemoryMessageStore successor = new MemoryMessageStore();
        queues.refuse("store closed");
        // as a greedy reference does when the store bundle is updated: bind the new, then unbind the old
        queues.beforeRefusing(() -> {
            twins.setMessageStore(successor);
            twins.unsetMessageStore(queues);
        });

        twins.patchReported(MODULE, j("{'a':1}"));

        assertThat(successor.queue("edge1/twins/i")).hasSize(1);
    }

    @Test
    void unbindingAReplacedRouterKeepsItsSuccessor() throws Exception {
        FileTwinStore twins = wired();
        MemoryMessageStore other = new MemoryMessageStore();
        SourceRouter successor = new SourceRouter().from("/*", UPSTREAM);

        twins.setRouter(successor);
        twins.unsetRouter(router);
        twins.setMessageStore(other);
        twins.unsetMessageStore(queues);
        twins.patchReported(MODULE, j("{'a':1}"));

        assertThat(other.appended()).extracting(MemoryMessageStore.Appended::targets).containsExactly(List.of(UPSTREAM));
        assertThat(queues.appended()).isEmpty();
    }

    @Test
    void noMatchingRouteStoresNothing() throws Exception {
        FileTwinStore twins = new FileTwinStore(dir);
        twins.setRouter(new SourceRouter().from("/messages/*", UPSTREAM));
        twins.setMessageStore(queues);

        assertThat(twins.patchReported(MODULE, j("{'a':1}"))).isEqualTo(2);

        assertThat(queues.appended()).isEmpty();
    }

    @Test
    void concurrentPatchesOfOneTwinAreNotifiedInVersionOrder() throws Exception {
        FileTwinStore twins = wired();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> writers = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                int writer = w;
                writers.add(pool.submit(() -> {
                    for (int i = 0; i < 20; i++) {
                        twins.patchReported(MODULE, j("{'w" + writer + "':" + i + "}"));
                    }
                    return null;
                }));
            }
            for (Future<?> f : writers) f.get();
        } finally {
            pool.shutdownNow();
        }

        List<Long> versions = queues.queue("edge1/twins/i").stream()
                .map(TwinChangeNotificationTest::version).toList();
        List<Long> expected = new ArrayList<>();
        for (long v = 2; v <= 81; v++) expected.add(v);
        assertThat(versions).isEqualTo(expected);
    }
}
