package io.gatehouse.auth.internal;

import static io.gatehouse.auth.internal.TestKeys.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gatehouse.api.identity.Identity;
import io.gatehouse.api.identity.IdentityId;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The identities a child gateway learned from its parent: upstream-scope.json. */
class UpstreamScopeTest {

    private static final String KEY_A = key(1);
    private static final String KEY_B = key(2);
    private static final String KEY_C = key(3);

    private static final Identity LEAF = new Identity(IdentityId.device("leaf"), KEY_A, KEY_B, false, "child");
    private static final Identity LEAF_MODULE = new Identity(IdentityId.module("leaf", "filter"), KEY_B, KEY_A);
    private static final Identity GRANDCHILD = new Identity(IdentityId.device("grandchild"), KEY_C, KEY_A, true, "child");

    @TempDir
    Path directory;

    private Path scopeFile() {
        return directory.resolve("upstream-scope.json");
    }

    private FileIdentityRegistry open() throws Exception {
        return new FileIdentityRegistry(Configs.registry(directory));
    }

    @Test
    void learnedIdentitiesAreVisibleThroughGetAndList() throws Exception {
        FileIdentityRegistry registry = open();
        registry.add(IdentityId.device("local"), KEY_A, KEY_B);

        registry.replaceUpstreamScope(List.of(LEAF, LEAF_MODULE, GRANDCHILD));

        assertThat(registry.get(IdentityId.device("leaf"))).contains(LEAF);
        assertThat(registry.get(IdentityId.module("leaf", "filter"))).contains(LEAF_MODULE);
        assertThat(registry.list()).containsExactly(GRANDCHILD, LEAF, LEAF_MODULE,
                new Identity(IdentityId.device("local"), KEY_A, KEY_B));
    }

    @Test
    void aReplacementDropsWhatTheParentNoLongerSends() throws Exception {
        FileIdentityRegistry registry = open();
        registry.replaceUpstreamScope(List.of(LEAF, LEAF_MODULE));
        registry.replaceUpstreamScope(List.of(GRANDCHILD));

        assertThat(registry.get(IdentityId.device("leaf"))).isEmpty();
        assertThat(registry.list()).containsExactly(GRANDCHILD);

        registry.replaceUpstreamScope(List.of());
        assertThat(registry.list()).isEmpty();
        assertThat(open().list()).isEmpty();
    }

    @Test
    void aRegisteredIdentityWinsOverALearnedOneAndIsListedOnce() throws Exception {
        FileIdentityRegistry registry = open();
        Identity registered = registry.add(IdentityId.device("leaf"), KEY_C, KEY_C);
        registry.replaceUpstreamScope(List.of(LEAF));

        assertThat(registry.get(IdentityId.device("leaf"))).contains(registered);
        assertThat(registry.list()).containsExactly(registered);

        // Removing the registered one uncovers the learned one.
        assertThat(registry.remove(IdentityId.device("leaf"))).isTrue();
        assertThat(registry.get(IdentityId.device("leaf"))).contains(LEAF);
    }

    @Test
    void removeLeavesLearnedIdentitiesAlone() throws Exception {
        FileIdentityRegistry registry = open();
        registry.replaceUpstreamScope(List.of(LEAF));

        assertThat(registry.remove(IdentityId.device("leaf"))).isFalse();

        assertThat(registry.get(IdentityId.device("leaf"))).contains(LEAF);
        assertThat(open().get(IdentityId.device("leaf"))).contains(LEAF);
    }

    @Test
    void learnedIdentitiesArePersistedApartFromRegisteredOnes() throws Exception {
        FileIdentityRegistry registry = open();
        registry.add(IdentityId.device("local"), KEY_A, KEY_B);
        registry.replaceUpstreamScope(List.of(LEAF, LEAF_MODULE, GRANDCHILD));

        FileIdentityRegistry reopened = open();

        assertThat(reopened.list()).isEqualTo(registry.list());
        assertThat(reopened.get(IdentityId.device("grandchild"))).contains(GRANDCHILD);
        assertThat(Files.readString(directory.resolve("identities.json"))).doesNotContain("leaf");
        assertThat(Files.readString(scopeFile())).contains("\"version\" : 1", "\"deviceId\" : \"leaf\"",
                "\"parentDeviceId\" : \"child\"", "\"edgeDevice\" : true").doesNotContain("local");
        try (Stream<Path> files = Files.list(directory)) {
            assertThat(files.map(path -> path.getFileName().toString()))
                    .containsExactlyInAnyOrder("identities.json", "upstream-scope.json");
        }
    }

    @Test
    void theScopeFileIsOwnerOnly() throws Exception {
        assumeTrue(directory.getFileSystem().supportedFileAttributeViews().contains("posix"));
        open().replaceUpstreamScope(List.of(LEAF));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(scopeFile()))).isEqualTo("rw-------");

        Files.setPosixFilePermissions(scopeFile(), PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(open().get(IdentityId.device("leaf"))).contains(LEAF);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(scopeFile()))).isEqualTo("rw-------");
    }

    @Test
    void learnedParentsNeedNotBeKnownHere() throws Exception {
        // The leaf's parent is this gateway itself, registered at the parent, not here.
        FileIdentityRegistry registry = open();
        registry.replaceUpstreamScope(List.of(LEAF));
        assertThat(open().get(IdentityId.device("leaf")).orElseThrow().parentDeviceId()).isEqualTo("child");
    }

    @Test
    void anInvalidEntryIsNamedAndChangesNothing() throws Exception {
        FileIdentityRegistry registry = open();
        registry.replaceUpstreamScope(List.of(LEAF));
        String before = Files.readString(scopeFile());

        assertRefused(registry, List.of(GRANDCHILD, new Identity(IdentityId.device("bad"), "not base64!", KEY_A)),
                "upstream scope entry 1 ('bad'): primaryKey is not valid base64");
        assertRefused(registry, List.of(new Identity(IdentityId.device("a b"), KEY_A, KEY_A)),
                "upstream scope entry 0 ('a b'): device id 'a b' contains the character U+0020 at position 2");
        assertRefused(registry, List.of(new Identity(IdentityId.device("nokey"), null, KEY_A)),
                "upstream scope entry 0 ('nokey'): primaryKey must not be empty");
        assertRefused(registry, List.of(new Identity(IdentityId.module("d", "m"), KEY_A, KEY_A, true, null)),
                "upstream scope entry 0 ('d/m'): module 'd/m' cannot be an edge device");
        assertRefused(registry, List.of(new Identity(IdentityId.device("self"), KEY_A, KEY_A, false, "self")),
                "upstream scope entry 0 ('self'): device 'self' cannot be its own parent");
        assertRefused(registry, Arrays.asList(GRANDCHILD, null), "upstream scope entry 1 has no identity id");
        assertRefused(registry, List.of(GRANDCHILD, LEAF, GRANDCHILD),
                "upstream scope entry 2 ('grandchild'): the identity appears more than once");
        assertRefused(registry, null, "an upstream scope (possibly empty list) is required");

        assertThat(registry.list()).containsExactly(LEAF);
        assertThat(Files.readString(scopeFile())).isEqualTo(before);
    }

    @Test
    void refusalsNeverRepeatAKey() throws Exception {
        FileIdentityRegistry registry = open();
        String shortKey = Base64.getEncoder().encodeToString(new byte[8]);
        assertThatThrownBy(() -> registry.replaceUpstreamScope(
                List.of(new Identity(IdentityId.device("d"), KEY_A, shortKey))))
                .hasMessageContaining("secondaryKey decodes to 8 bytes")
                .hasMessageNotContaining(shortKey).hasMessageNotContaining(KEY_A);
    }

    @Test
    void aCorruptScopeFileIsSetAsideAndTheLearnedScopeStartsEmpty() throws Exception {
        FileIdentityRegistry first = open();
        first.add(IdentityId.device("local"), KEY_A, KEY_B);
        String garbage = "{\"version\": 1, \"identities\": [{\"deviceId\": \"leaf\", \"primaryKey\": " + KEY_A;
        Files.writeString(scopeFile(), garbage);
        Clock clock = Clock.fixed(Instant.parse("2026-11-26T10:15:30.123Z"), ZoneOffset.UTC);

        FileIdentityRegistry registry = new FileIdentityRegistry(Configs.registry(directory), clock);

        assertThat(registry.list()).extracting(Identity::id).containsExactly(IdentityId.device("local"));
        assertThat(scopeFile()).doesNotExist();
        assertThat(directory.resolve("upstream-scope.json.corrupt-20261126T101530123Z")).hasContent(garbage);
        assertThat(directory.resolve("identities.json")).exists();

        registry.replaceUpstreamScope(List.of(LEAF));
        assertThat(open().get(IdentityId.device("leaf"))).contains(LEAF);
        assertThat(directory.resolve("upstream-scope.json.corrupt-20261126T101530123Z")).hasContent(garbage);
    }

    @Test
    void aScopeFileWithAnInvalidEntryOrAnotherVersionIsCorrupt() throws Exception {
        for (String content : List.of(
                "{\"version\": 2, \"identities\": []}",
                "{\"version\": 1, \"identities\": [{\"deviceId\": \"d\", \"moduleId\": \"m\", \"parentDeviceId\": \"x\", "
                        + "\"primaryKey\": \"" + KEY_A + "\", \"secondaryKey\": \"" + KEY_A + "\"}]}")) {
            Files.createDirectories(directory);
            Files.writeString(scopeFile(), content);
            assertThat(open().list()).isEmpty();
            assertThat(scopeFile()).doesNotExist();
        }
        try (Stream<Path> files = Files.list(directory)) {
            assertThat(files.map(path -> path.getFileName().toString()).toList()).hasSize(2)
                    .allMatch(name -> name.startsWith("upstream-scope.json.corrupt-"));
        }
    }

    @Test
    void aReplacementThatCannotBeSavedChangesNothing() throws Exception {
        FileIdentityRegistry registry = open();
        registry.replaceUpstreamScope(List.of(LEAF));
        // A non-empty directory where the temporary file must go makes every save fail, even for root.
        Path blocker = directory.resolve("upstream-scope.json.tmp");
        Files.createDirectories(blocker.resolve("inside"));

        assertThatThrownBy(() -> registry.replaceUpstreamScope(List.of(GRANDCHILD)))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("nothing was changed");

        assertThat(registry.list()).containsExactly(LEAF);
        Files.delete(blocker.resolve("inside"));
        Files.delete(blocker);
        assertThat(open().list()).containsExactly(LEAF);
    }

    private static void assertRefused(FileIdentityRegistry registry, List<Identity> scope, String reason) {
        assertThatThrownBy(() -> registry.replaceUpstreamScope(scope))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(reason);
    }

}
