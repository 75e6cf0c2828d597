package io.gatehouse.twin.internal;

import static io.gatehouse.twin.internal.TwinStoreFixture.j;
import static io.gatehouse.twin.internal.TwinStoreFixture.tree;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.twin.Twin;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileTwinStoreTest {
    private static final IdentityId MODULE = IdentityId.module("edge1", "tempSensor");
    private static final IdentityId DEVICE = IdentityId.device("leaf1");

    @TempDir
    Path dir;

    private record Call(IdentityId id, String patch, long version) {
    }

    @Test
    void aTwinNobodyWroteIsEmptyAtVersionOne() throws Exception {
        FileTwinStore store = new FileTwinStore(dir);

        assertThat(store.get(MODULE)).isEqualTo(new Twin("{}", 1, "{}", 1));
        assertThat(Files.list(dir)).as("reading creates no file").isEmpty();
    }

    @Test
    void patchesMergeAndBumpTheVersionOnlyWhenSomethingChanged() throws Exception {
        FileTwinStore store = new FileTwinStore(dir);

        assertThat(store.patchReported(MODULE, j("{'a':{'b':1,'c':2},'d':'x'}"))).isEqualTo(2);
        assertThat(store.patchReported(MODULE, j("{'a':{'b':null},'e':[1,2]}"))).isEqualTo(3);
        assertThat(store.patchReported(MODULE, j("{'a':{'c':2},'d':'x'}"))).as("no change").isEqualTo(3);
        assertThat(store.patchReported(MODULE, j("{'gone':null}"))).as("removing nothing").isEqualTo(3);

        Twin twin = store.get(MODULE);
        assertThat(tree(twin.reportedJson())).isEqualTo(tree(j("{'a':{'c':2},'d':'x','e':[1,2]}")));
        assertThat(twin.reportedVersion()).isEqualTo(3);
        assertThat(twin.desiredVersion()).as("the other side is untouched").isEqualTo(1);
        assertThat(twin.desiredJson()).isEqualTo("{}");

        assertThat(store.patchDesired(MODULE, j("{'p':1}"))).isEqualTo(2);
        assertThat(store.patchDesired(MODULE, j("{'p':1}"))).isEqualTo(2);
        assertThat(store.get(MODULE).reportedVersion()).isEqualTo(3);
    }

    @Test
    void versionAndMetadataInAPatchAreIgnored() throws Exception {
        FileTwinStore store = new FileTwinStore(dir);

        long version = store.patchReported(DEVICE,
                j("{'$version':77,'$metadata':{'$lastUpdated':'2024-01-01'},'t':21.5}"));

        Twin twin = store.get(DEVICE);
        assertThat(version).isEqualTo(2);
        assertThat(tree(twin.reportedJson())).isEqualTo(tree(j("{'t':21.5}")));
        assertThat(store.patchReported(DEVICE, j("{'$version':3}"))).as("only ignored keys: no change").isEqualTo(2);
    }

    @Test
    void theTwinSurvivesANewInstanceInOneFilePerIdentity() throws Exception {
        FileTwinStore first = new FileTwinStore(dir);
        first.patchDesired(MODULE, j("{'interval':5,'nested':{'on':true}}"));
        first.patchReported(MODULE, j("{'status':'ok'}"));
        first.patchReported(MODULE, j("{'status':'running'}"));
        first.patchReported(DEVICE, j("{'fw':'1.0'}"));

        FileTwinStore second = new FileTwinStore(dir);
        Twin twin = second.get(MODULE);

        assertThat(tree(twin.desiredJson())).isEqualTo(tree(j("{'interval':5,'nested':{'on':true}}")));
        assertThat(twin.desiredVersion()).isEqualTo(2);
        assertThat(tree(twin.reportedJson())).isEqualTo(tree(j("{'status':'running'}")));
        assertThat(twin.reportedVersion()).isEqualTo(3);
        assertThat(tree(second.get(DEVICE).reportedJson())).isEqualTo(tree(j("{'fw':'1.0'}")));

        Path file = dir.resolve("edge1%2FtempSensor.json");
        assertThat(tree(Files.readString(file))).isEqualTo(tree(j(
                "{'desired':{'interval':5,'nested':{'on':true}},'desiredVersion':2,"
                        + "'reported':{'status':'running'},'reportedVersion':3}")));
        try (var names = Files.list(dir)) {
            assertThat(names.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("edge1%2FtempSensor.json", "leaf1.json");
        }
    }

    @Test
    void removeDeletesTheFileAndTheCachedTwin() throws Exception {
        FileTwinStore store = new FileTwinStore(dir);
        store.patchReported(DEVICE, j("{'a':1}"));

        assertThat(store.remove(DEVICE)).isTrue();
        assertThat(Files.exists(dir.resolve("leaf1.json"))).isFalse();
        assertThat(store.get(DEVICE)).isEqualTo(new Twin("{}", 1, "{}", 1));
        assertThat(store.remove(DEVICE)).isFalse();
        assertThat(store.patchReported(DEVICE, j("{'b':1}"))).as("starts over after removal").isEqualTo(2);
    }

    @Test
    void desiredPatchReachesEveryListenerWithItsVersionEvenIfOneThrows() throws Exception {
        FileTwinStore store = new FileTwinStore(dir);
        List<Call> calls = Collections.synchronizedList(new ArrayList<>());
        store.addListener((id, patch, version) -> {
            throw new IllegalStateException("listener bug");
        });
        store.addListener((id, patch, version) -> calls.add(new Call(id, patch, version)));

        long version = store.patchDesired(MODULE, j("{'a':1,'b':{'c':2}}"));
        store.patchDesired(MODULE, j("{'a':1}"));

        assertThat(version).isEqualTo(2);
        assertThat(calls).hasSize(1).as("an unchanged patch notifies nobody");
        Call call = calls.get(0);
        assertThat(call.id()).isEqualTo(MODULE);
        assertThat(call.version()).isEqualTo(2);
        assertThat(tree(call.patch())).isEqualTo(tree(j("{'a':1,'b':{'c':2},'$version':2}")));
        assertThat(tree(new FileTwinStore(dir).get(MODULE).desiredJson()))
                .as("on disk before the listeners ran").isEqualTo(tree(j("{'a':1,'b':{'c':2}}")));
    }

    @Test
    void listenersSeeTheChangeOnDisk() throws Exception {
        FileTwinStore store = new FileTwinStore(dir);
        List<String> seenOnDisk = new ArrayList<>();
        store.addListener((id, patch, version) -> {
            try {
                seenOnDisk.add(new FileTwinStore(dir).get(id).desiredJson());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        store.patchDesired(DEVICE, j("{'x':1}"));

        assertThat(seenOnDisk).containsExactly("{\"x\":1}");
    }

    @Test
    void replaceDesiredSendsTheDifferenceAsAPatch() throws Exception {
        FileTwinStore store = new FileTwinStore(dir);
        store.replaceDesired(MODULE, j("{'keep':1,'drop':2,'nested':{'x':1,'y':2}}"));
        List<Call> calls = Collections.synchronizedList(new ArrayList<>());
        store.addListener((id, patch, version) -> calls.add(new Call(id, patch, version)));

        long version = store.replaceDesired(MODULE, j("{'keep':1,'nested':{'x':1,'z':3},'add':'n'}"));
        long unchanged = store.replaceDesired(MODULE, j("{'$version':9,'keep':1,'nested':{'x':1,'z':3},'add':'n'}"));

        assertThat(version).isEqualTo(3);
        assertThat(unchanged).isEqualTo(3);
        assertThat(calls).hasSize(1);
        assertThat(tree(calls.get(0).patch())).isEqualTo(
                tree(j("{'drop':null,'nested':{'y':null,'z':3},'add':'n','$version':3}")));
        assertThat(calls.get(0).version()).isEqualTo(3);
        assertThat(tree(store.get(MODULE).desiredJson()))
                .isEqualTo(tree(j("{'keep':1,'nested':{'x':1,'z':3},'add':'n'}")));
    }

    @Test
    void aDamagedFileIsMovedAsideAndTheTwinStartsEmpty() throws Exception {
        Path file = dir.resolve("leaf1.json");
        Files.writeString(file, "{\"desired\":{\"a\":1},\"desiredVer", StandardCharsets.UTF_8);
        Path wrongShape = dir.resolve("leaf2.json");
        Files.writeString(wrongShape, "{\"desired\":[],\"desiredVersion\":1,\"reported\":{},\"reportedVersion\":1}");
        FileTwinStore store = new FileTwinStore(dir);

        assertThat(store.get(DEVICE)).isEqualTo(new Twin("{}", 1, "{}", 1));
        assertThat(store.get(IdentityId.device("leaf2"))).isEqualTo(new Twin("{}", 1, "{}", 1));

        assertThat(Files.exists(file)).isFalse();
        assertThat(Files.readString(dir.resolve("leaf1.json.damaged"))).startsWith("{\"desired\":{\"a\":1}");
        assertThat(Files.exists(dir.resolve("leaf2.json.damaged"))).isTrue();
        assertThat(store.patchReported(DEVICE, j("{'b':2}"))).as("the store keeps working").isEqualTo(2);
        assertThat(tree(new FileTwinStore(dir).get(DEVICE).reportedJson())).isEqualTo(tree(j("{'b':2}")));
    }

    @Test
    void concurrentPatchesLoseNothing() throws Exception {
        FileTwinStore store = new FileTwinStore(dir);
        int threads = 4;
        int keys = 100;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int k = 0; k < keys; k++) {
                        store.patchDesired(MODULE, j("{'t" + thread + "_" + k + "':" + k + "}"));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        Twin twin = new FileTwinStore(dir).get(MODULE);
        assertThat(tree(twin.desiredJson()).size()).isEqualTo(threads * keys);
        assertThat(twin.desiredVersion()).isEqualTo(threads * keys + 1);
        assertThat(store.get(MODULE)).isEqualTo(twin);
    }
}
