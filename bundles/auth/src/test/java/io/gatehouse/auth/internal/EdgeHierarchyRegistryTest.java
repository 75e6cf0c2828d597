package io.gatehouse.auth.internal;

import static io.gatehouse.auth.internal.TestKeys.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.api.identity.Identity;
import io.gatehouse.api.identity.IdentityExistsException;
import io.gatehouse.api.identity.IdentityId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Edge devices, parents and scopes in the registered part of the registry. */
class EdgeHierarchyRegistryTest {

    private static final String KEY_A = key(1);
    private static final String KEY_B = key(2);

    @TempDir
    Path directory;

    private Path file() {
        return directory.resolve("identities.json");
    }

    private FileIdentityRegistry open() throws Exception {
        return new FileIdentityRegistry(Configs.registry(directory));
    }

    private static Identity edge(String deviceId, String parent) {
        return new Identity(IdentityId.device(deviceId), KEY_A, KEY_B, true, parent);
    }

    private static Identity leaf(String deviceId, String parent) {
        return new Identity(IdentityId.device(deviceId), KEY_A, KEY_B, false, parent);
    }

    private static Identity module(String deviceId, String moduleId) {
        return new Identity(IdentityId.module(deviceId, moduleId), KEY_A, KEY_B);
    }

    /** parent (edge) ← child (edge) ← leaf; parent ← sensor; with modules on parent, child and leaf. */
    private FileIdentityRegistry hierarchy() throws Exception {
        FileIdentityRegistry registry = open();
        registry.add(edge("parent", null));
        registry.add(edge("child", "parent"));
        registry.add(leaf("leaf", "child"));
        registry.add(leaf("sensor", "parent"));
        registry.add(leaf("standalone", null));
        registry.add(module("parent", "$edgeHub"));
        registry.add(module("child", "$edgeHub"));
        registry.add(module("leaf", "filter"));
        return registry;
    }

    @Test
    void addKeepsTheEdgeFlagAndParentAndGeneratesMissingKeys() throws Exception {
        FileIdentityRegistry registry = open();
        Identity parent = registry.add(new Identity(IdentityId.device("parent"), null, null, true, null));
        Identity child = registry.add(new Identity(IdentityId.device("child"), KEY_A, null, false, "parent"));

        assertThat(parent.edgeDevice()).isTrue();
        assertThat(parent.parentDeviceId()).isNull();
        assertThat(Base64.getDecoder().decode(parent.primaryKey())).hasSize(32);
        assertThat(child.parentDeviceId()).isEqualTo("parent");
        assertThat(child.primaryKey()).isEqualTo(KEY_A);
        assertThat(Base64.getDecoder().decode(child.secondaryKey())).hasSize(32);
        assertThat(registry.get(IdentityId.device("child"))).contains(child);
    }

    @Test
    void threeArgumentAddRegistersAPlainIdentity() throws Exception {
        Identity identity = open().add(IdentityId.device("plc-7"), KEY_A, KEY_B);
        assertThat(identity).isEqualTo(new Identity(IdentityId.device("plc-7"), KEY_A, KEY_B, false, null));
    }

    @Test
    void edgeFlagAndParentSurviveANewInstanceAndAreWrittenOnlyWhenSet() throws Exception {
        hierarchy();

        FileIdentityRegistry reopened = open();

        assertThat(reopened.get(IdentityId.device("parent")).orElseThrow())
                .isEqualTo(edge("parent", null));
        assertThat(reopened.get(IdentityId.device("child")).orElseThrow()).isEqualTo(edge("child", "parent"));
        assertThat(reopened.get(IdentityId.device("leaf")).orElseThrow()).isEqualTo(leaf("leaf", "child"));
        assertThat(reopened.get(IdentityId.device("standalone")).orElseThrow()).isEqualTo(leaf("standalone", null));
        String json = Files.readString(file());
        assertThat(json).contains("\"version\" : 1", "\"edgeDevice\" : true", "\"parentDeviceId\" : \"child\"")
                .doesNotContain("\"edgeDevice\" : false", "\"parentDeviceId\" : null");
        // Two edge devices, three devices with a parent.
        assertThat(json.split("\"edgeDevice\"", -1)).hasSize(3);
        assertThat(json.split("\"parentDeviceId\"", -1)).hasSize(4);
    }

    @Test
    void readsAVersionOneFileWithoutTheEdgeFields() throws Exception {
        Files.writeString(file(), "{\"version\": 1, \"identities\": [{\"deviceId\": \"plc-7\", \"primaryKey\": \""
                + KEY_A + "\", \"secondaryKey\": \"" + KEY_B + "\"}]}");
        assertThat(open().list()).containsExactly(leaf("plc-7", null));
    }

    @Test
    void aModuleCanBeNeitherAnEdgeDeviceNorHaveAParent() throws Exception {
        FileIdentityRegistry registry = open();
        registry.add(edge("parent", null));
        String before = Files.readString(file());

        assertThatThrownBy(() -> registry.add(new Identity(IdentityId.module("parent", "m"), null, null, true, null)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("module 'parent/m' cannot be an edge device; only a device can");
        assertThatThrownBy(() -> registry.add(new Identity(IdentityId.module("x", "m"), null, null, false, "parent")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("module 'x/m' cannot have a parent");

        assertThat(registry.list()).extracting(Identity::id).containsExactly(IdentityId.device("parent"));
        assertThat(Files.readString(file())).isEqualTo(before);
    }

    @Test
    void theParentMustBeARegisteredEdgeDevice() throws Exception {
        FileIdentityRegistry registry = open();
        registry.add(leaf("plain", null));
        String before = Files.readString(file());

        assertThatThrownBy(() -> registry.add(leaf("leaf", "ghost")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("parent 'ghost' is not a registered edge device; register it with --edge first");
        assertThatThrownBy(() -> registry.add(edge("child", "plain")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("parent 'plain' is registered but is not an edge device");

        assertThat(registry.list()).extracting(Identity::id).containsExactly(IdentityId.device("plain"));
        assertThat(Files.readString(file())).isEqualTo(before);
    }

    @Test
    void aDeviceCannotBeItsOwnParent() throws Exception {
        FileIdentityRegistry registry = open();
        assertThatThrownBy(() -> registry.add(edge("loop", "loop")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("device 'loop' cannot be its own parent");
        assertThat(registry.list()).isEmpty();
        assertThat(file()).doesNotExist();
    }

    @Test
    void refusesAnInvalidParentId() throws Exception {
        FileIdentityRegistry registry = open();
        assertThatThrownBy(() -> registry.add(leaf("leaf", "a/b")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("parent device id 'a/b' contains '/' at position 2");
        assertThat(registry.list()).isEmpty();
    }

    @Test
    void aDuplicateIsRefusedBeforeItsParentIsLookedAt() throws Exception {
        FileIdentityRegistry registry = open();
        registry.add(edge("parent", null));
        assertThatThrownBy(() -> registry.add(leaf("parent", "ghost")))
                .isInstanceOf(IdentityExistsException.class)
                .hasMessage("identity 'parent' already exists");
        assertThat(registry.get(IdentityId.device("parent"))).contains(edge("parent", null));
    }

    @Test
    void anEdgeDeviceThatIsStillAParentCannotBeRemoved() throws Exception {
        FileIdentityRegistry registry = hierarchy();
        String before = Files.readString(file());
        List<Identity> all = registry.list();

        assertThatThrownBy(() -> registry.remove(IdentityId.device("child")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("edge device 'child' is still the parent of 'leaf'; remove those first");
        assertThatThrownBy(() -> registry.remove(IdentityId.device("parent")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("edge device 'parent' is still the parent of 'child' and 1 more device(s); "
                        + "remove those first");

        assertThat(registry.list()).isEqualTo(all);
        assertThat(Files.readString(file())).isEqualTo(before);
        assertThat(open().list()).isEqualTo(all);
    }

    @Test
    void anEdgeDeviceCanBeRemovedOnceItsChildrenAreGone() throws Exception {
        FileIdentityRegistry registry = hierarchy();
        assertThat(registry.remove(IdentityId.device("leaf"))).isTrue();
        assertThat(registry.remove(IdentityId.device("child"))).isTrue();
        // Its modules are separate identities, as for any device.
        assertThat(registry.get(IdentityId.module("child", "$edgeHub"))).isPresent();
        assertThat(open().get(IdentityId.device("child"))).isEmpty();
    }

    @Test
    void theScopeOfAnEdgeDeviceReachesDownTheWholeTree() throws Exception {
        FileIdentityRegistry registry = hierarchy();

        assertThat(registry.scopeOf("parent")).extracting(Identity::id).containsExactly(
                IdentityId.device("child"), IdentityId.module("child", "$edgeHub"),
                IdentityId.device("leaf"), IdentityId.module("leaf", "filter"),
                IdentityId.device("sensor"));
        assertThat(registry.scopeOf("child")).extracting(Identity::id).containsExactly(
                IdentityId.device("leaf"), IdentityId.module("leaf", "filter"));
    }

    @Test
    void theScopeCarriesTheKeysAndTheEdgeFields() throws Exception {
        FileIdentityRegistry registry = hierarchy();
        assertThat(registry.scopeOf("parent")).contains(edge("child", "parent"), leaf("leaf", "child"),
                module("leaf", "filter"));
    }

    @Test
    void theScopeIsEmptyForAnythingButARegisteredEdgeDevice() throws Exception {
        FileIdentityRegistry registry = hierarchy();
        assertThat(registry.scopeOf("leaf")).isEmpty();
        assertThat(registry.scopeOf("ghost")).isEmpty();
        assertThat(registry.scopeOf("parent/$edgeHub")).isEmpty();
        registry.add(edge("lonely", null));
        assertThat(registry.scopeOf("lonely")).isEmpty();
    }

    @Test
    void theScopeFollowsRemovals() throws Exception {
        FileIdentityRegistry registry = hierarchy();
        registry.remove(IdentityId.module("leaf", "filter"));
        registry.remove(IdentityId.device("leaf"));
        assertThat(registry.scopeOf("child")).isEmpty();
        assertThat(registry.scopeOf("parent")).extracting(Identity::id).containsExactly(
                IdentityId.device("child"), IdentityId.module("child", "$edgeHub"), IdentityId.device("sensor"));
    }

    @Test
    void theScopeTerminatesOnACycleOfParents() {
        List<Identity> cycle = List.of(edge("a", "b"), edge("b", "c"), edge("c", "a"), leaf("d", "c"));
        assertThat(ParentLinks.scopeOf(cycle, "a")).extracting(Identity::id).containsExactlyInAnyOrder(
                IdentityId.device("b"), IdentityId.device("c"), IdentityId.device("d"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            // a cycle of two edge devices
            "[{'deviceId': 'a', 'edgeDevice': true, 'parentDeviceId': 'b', 'primaryKey': 'K', 'secondaryKey': 'K'},"
                    + "{'deviceId': 'b', 'edgeDevice': true, 'parentDeviceId': 'a', 'primaryKey': 'K', 'secondaryKey': 'K'}]",
            // a device that is its own parent
            "[{'deviceId': 'a', 'edgeDevice': true, 'parentDeviceId': 'a', 'primaryKey': 'K', 'secondaryKey': 'K'}]",
            // a parent that is not registered
            "[{'deviceId': 'a', 'parentDeviceId': 'ghost', 'primaryKey': 'K', 'secondaryKey': 'K'}]",
            // a parent that is not an edge device
            "[{'deviceId': 'a', 'primaryKey': 'K', 'secondaryKey': 'K'},"
                    + "{'deviceId': 'b', 'parentDeviceId': 'a', 'primaryKey': 'K', 'secondaryKey': 'K'}]",
            // a module that is an edge device, or has a parent
            "[{'deviceId': 'a', 'moduleId': 'm', 'edgeDevice': true, 'primaryKey': 'K', 'secondaryKey': 'K'}]",
            "[{'deviceId': 'a', 'edgeDevice': true, 'primaryKey': 'K', 'secondaryKey': 'K'},"
                    + "{'deviceId': 'a', 'moduleId': 'm', 'parentDeviceId': 'a', 'primaryKey': 'K', 'secondaryKey': 'K'}]",
            // fields of the wrong type
            "[{'deviceId': 'a', 'edgeDevice': 'yes', 'primaryKey': 'K', 'secondaryKey': 'K'}]",
            "[{'deviceId': 'a', 'edgeDevice': true, 'primaryKey': 'K', 'secondaryKey': 'K'},"
                    + "{'deviceId': 'b', 'parentDeviceId': 7, 'primaryKey': 'K', 'secondaryKey': 'K'}]"})
    void aFileBreakingTheParentRulesIsSetAsideAsCorrupt(String entries) throws Exception {
        String content = "{\"version\": 1, \"identities\": " + entries.replace('\'', '"').replace("\"K\"",
                "\"" + KEY_A + "\"") + "}";
        Files.writeString(file(), content);

        assertThat(open().list()).isEmpty();

        assertThat(file()).doesNotExist();
        try (Stream<Path> files = Files.list(directory)) {
            assertThat(files.toList()).singleElement().satisfies(path -> {
                assertThat(path.getFileName().toString()).startsWith("identities.json.corrupt-");
                assertThat(path).hasContent(content);
            });
        }
    }

    @Test
    void aValidHierarchyInAFileInAnyOrderIsAccepted() throws Exception {
        String content = ("{'version': 1, 'identities': ["
                + "{'deviceId': 'leaf', 'parentDeviceId': 'child', 'primaryKey': 'K', 'secondaryKey': 'K'},"
                + "{'deviceId': 'child', 'edgeDevice': true, 'parentDeviceId': 'parent', 'primaryKey': 'K', 'secondaryKey': 'K'},"
                + "{'deviceId': 'parent', 'edgeDevice': true, 'primaryKey': 'K', 'secondaryKey': 'K'}]}")
                .replace('\'', '"').replace("\"K\"", "\"" + KEY_A + "\"");
        Files.writeString(file(), content);

        assertThat(open().scopeOf("parent")).extracting(Identity::id)
                .containsExactly(IdentityId.device("child"), IdentityId.device("leaf"));
        assertThat(file()).exists();
    }

}
