package io.gatehouse.auth.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gatehouse.api.identity.Identity;
import io.gatehouse.api.identity.IdentityId;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class FileIdentityRegistryTest {

    private static final String KEY_A = keyOf(32, 1);
    private static final String KEY_B = keyOf(32, 2);

    @TempDir
    Path root;

    private Path directory() {
        return root.resolve("data").resolve("identities");
    }

    private Path file() {
        return directory().resolve("identities.json");
    }

    private FileIdentityRegistry open() throws Exception {
        return new FileIdentityRegistry(Configs.registry(directory()));
    }

    @Test
    void startsEmptyWithoutAFile() throws Exception {
        assertThat(open().list()).isEmpty();
        assertThat(file()).doesNotExist();
    }

    @Test
    void aNewInstanceReloadsWhatWasRegistered() throws Exception {
        FileIdentityRegistry first = open();
        first.add(IdentityId.device("plc-7"), KEY_A, KEY_B);
        first.add(IdentityId.module("edge1", "$edgeHub"), null, null);
        Identity module = first.get(IdentityId.module("edge1", "$edgeHub")).orElseThrow();

        FileIdentityRegistry second = open();

        assertThat(second.list()).containsExactly(
                new Identity(IdentityId.module("edge1", "$edgeHub"), module.primaryKey(), module.secondaryKey()),
                new Identity(IdentityId.device("plc-7"), KEY_A, KEY_B));
        assertThat(second.get(IdentityId.device("edge1"))).isEmpty();
    }

    @Test
    void removalIsPersisted() throws Exception {
        FileIdentityRegistry registry = open();
        registry.add(IdentityId.device("a"), null, null);
        registry.add(IdentityId.device("b"), null, null);

        assertThat(registry.remove(IdentityId.device("a"))).isTrue();
        assertThat(registry.remove(IdentityId.device("a"))).isFalse();

        assertThat(open().list()).extracting(Identity::id).containsExactly(IdentityId.device("b"));
    }

    @Test
    void theFileAndItsDirectoryAreOwnerOnly() throws Exception {
        assumeTrue(root.getFileSystem().supportedFileAttributeViews().contains("posix"));
        open().add(IdentityId.device("plc-7"), null, null);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file()))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(directory()))).isEqualTo("rwx------");
    }

    @Test
    void aFileReadableByOthersIsRestrictedOnLoad() throws Exception {
        assumeTrue(root.getFileSystem().supportedFileAttributeViews().contains("posix"));
        open().add(IdentityId.device("plc-7"), KEY_A, KEY_B);
        Files.setPosixFilePermissions(file(), PosixFilePermissions.fromString("rw-r--r--"));

        assertThat(open().get(IdentityId.device("plc-7"))).isPresent();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file()))).isEqualTo("rw-------");
    }

    @Test
    void writesReadableJsonAndLeavesNoTemporaryFile() throws Exception {
        open().add(IdentityId.module("edge1", "filter"), KEY_A, KEY_B);

        String json = Files.readString(file());
        assertThat(json).contains("\"version\" : 1", "\"deviceId\" : \"edge1\"", "\"moduleId\" : \"filter\"",
                "\"primaryKey\" : \"" + KEY_A + "\"");
        try (Stream<Path> files = Files.list(directory())) {
            assertThat(files).containsExactly(file());
        }
    }

    @Test
    void generatedKeysAre32RandomBytes() throws Exception {
        Identity identity = open().add(IdentityId.device("plc-7"), null, KEY_B);
        Identity other = open().add(IdentityId.device("plc-8"), null, null);

        assertThat(Base64.getDecoder().decode(identity.primaryKey())).hasSize(32);
        assertThat(Base64.getDecoder().decode(other.primaryKey())).hasSize(32);
        assertThat(Base64.getDecoder().decode(other.secondaryKey())).hasSize(32);
        assertThat(identity.secondaryKey()).isEqualTo(KEY_B);
        assertThat(List.of(identity.primaryKey(), other.primaryKey(), other.secondaryKey())).doesNotHaveDuplicates();
    }

    @Test
    void aModuleNeedsNoRegisteredDevice() throws Exception {
        FileIdentityRegistry registry = open();
        registry.add(IdentityId.module("edge1", "filter"), null, null);
        assertThat(registry.get(IdentityId.module("edge1", "filter"))).isPresent();
        assertThat(registry.get(IdentityId.device("edge1"))).isEmpty();
    }

    @Test
    void refusesADuplicateAndKeepsTheFirst() throws Exception {
        FileIdentityRegistry registry = open();
        registry.add(IdentityId.module("edge1", "filter"), KEY_A, KEY_A);
        String before = Files.readString(file());

        assertThatThrownBy(() -> registry.add(IdentityId.module("edge1", "filter"), KEY_B, KEY_B))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("identity 'edge1/filter' already exists")
                .isInstanceOf(io.gatehouse.api.identity.IdentityExistsException.class);

        assertThat(registry.get(IdentityId.module("edge1", "filter")).orElseThrow().primaryKey()).isEqualTo(KEY_A);
        assertThat(Files.readString(file())).isEqualTo(before);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "''|          | device id must not be empty",
            "plc/7|       | device id 'plc/7' contains '/' at position 4",
            "plc 7|       | contains the character U+0020 at position 4",
            "pläc|        | contains the character U+00E4 at position 3",
            "edge1|$custom| module id '$custom' starts with '$', which is reserved for $edgeAgent and $edgeHub",
            "edge1|fil&ter| module id 'fil&ter' contains '&' at position 4",
            "edge1|$EdgeHub| starts with '$'"})
    void refusesInvalidIdsWithAReason(String deviceId, String moduleId, String reason) throws Exception {
        FileIdentityRegistry registry = open();
        assertThatThrownBy(() -> registry.add(new IdentityId(deviceId, moduleId), null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(reason);
        assertThat(registry.list()).isEmpty();
        assertThat(file()).doesNotExist();
    }

    @Test
    void refusesIdsLongerThan128Characters() throws Exception {
        FileIdentityRegistry registry = open();
        registry.add(IdentityId.device("d".repeat(128)), null, null);
        assertThatThrownBy(() -> registry.add(IdentityId.device("d".repeat(129)), null, null))
                .hasMessage("device id is 129 characters long; at most 128 are allowed");
        assertThatThrownBy(() -> registry.add(IdentityId.module("edge1", "m".repeat(129)), null, null))
                .hasMessage("module id is 129 characters long; at most 128 are allowed");
        assertThat(registry.list()).hasSize(1);
    }

    @Test
    void acceptsEveryCharacterIotHubAllows() throws Exception {
        String id = "Az09-.+%_#*?!(),:=@$'";
        FileIdentityRegistry registry = open();
        registry.add(IdentityId.device(id), null, null);
        registry.add(IdentityId.module(id, "m" + id), null, null);
        registry.add(IdentityId.module("edge1", "$edgeAgent"), null, null);
        assertThat(open().list()).hasSize(3);
    }

    @ParameterizedTest
    @ValueSource(strings = {"not base64!", "QUJD\u00e9", "QUJDREVGR0hJSktMTU5PUFFSU1RVVldY*"})
    void refusesKeysThatAreNotBase64(String key) throws Exception {
        FileIdentityRegistry registry = open();
        assertThatThrownBy(() -> registry.add(IdentityId.device("plc-7"), key, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("primaryKey is not valid base64")
                .hasMessageNotContaining(key);
        assertThat(registry.list()).isEmpty();
    }

    @Test
    void refusesKeysOutside16To64Bytes() throws Exception {
        FileIdentityRegistry registry = open();
        assertThatThrownBy(() -> registry.add(IdentityId.device("a"), keyOf(15, 1), null))
                .hasMessageStartingWith("primaryKey decodes to 15 bytes; a key must be 16 to 64 bytes");
        assertThatThrownBy(() -> registry.add(IdentityId.device("a"), null, keyOf(65, 1)))
                .hasMessageStartingWith("secondaryKey decodes to 65 bytes; a key must be 16 to 64 bytes");
        assertThatThrownBy(() -> registry.add(IdentityId.device("a"), "", null))
                .hasMessage("primaryKey must not be empty");
        assertThat(registry.list()).isEmpty();

        registry.add(IdentityId.device("a"), keyOf(16, 1), keyOf(64, 2));
        assertThat(open().get(IdentityId.device("a")).orElseThrow().secondaryKey()).isEqualTo(keyOf(64, 2));
    }

    @Test
    void aCorruptFileIsSetAsideAndTheRegistryStartsEmpty() throws Exception {
        Files.createDirectories(directory());
        byte[] garbage = "{\"version\": 1, \"identities\": [ {\"deviceId\": \"plc-7\", \"primaryKey\": SECRETKEY"
                .getBytes(StandardCharsets.UTF_8);
        Files.write(file(), garbage);
        Clock clock = Clock.fixed(Instant.parse("2026-11-26T10:15:30.123Z"), ZoneOffset.UTC);

        FileIdentityRegistry registry = new FileIdentityRegistry(Configs.registry(directory()), clock);

        assertThat(registry.list()).isEmpty();
        Path aside = directory().resolve("identities.json.corrupt-20261126T101530123Z");
        assertThat(aside).hasBinaryContent(garbage);
        assertThat(file()).doesNotExist();

        registry.add(IdentityId.device("plc-9"), null, null);
        assertThat(aside).hasBinaryContent(garbage);
        assertThat(open().list()).extracting(Identity::id).containsExactly(IdentityId.device("plc-9"));
    }

    @Test
    void aSecondCorruptFileInTheSameMillisecondDoesNotReplaceTheFirstAside() throws Exception {
        Files.createDirectories(directory());
        Clock clock = Clock.fixed(Instant.parse("2026-11-26T10:15:30Z"), ZoneOffset.UTC);
        Files.writeString(file(), "first");
        new FileIdentityRegistry(Configs.registry(directory()), clock);
        Files.writeString(file(), "second");
        new FileIdentityRegistry(Configs.registry(directory()), clock);

        assertThat(directory().resolve("identities.json.corrupt-20261126T101530000Z")).hasContent("first");
        assertThat(directory().resolve("identities.json.corrupt-20261126T101530000Z-2")).hasContent("second");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "[]",
            "{\"identities\": []}",
            "{\"version\": 2, \"identities\": []}",
            "{\"version\": 1}",
            "{\"version\": 1, \"identities\": [ {\"deviceId\": \"a\"} ]}",
            "{\"version\": 1, \"identities\": [ {\"deviceId\": \"a b\", \"primaryKey\": \"AAAAAAAAAAAAAAAAAAAAAA==\", "
                    + "\"secondaryKey\": \"AAAAAAAAAAAAAAAAAAAAAA==\"} ]}",
            "{\"version\": 1, \"identities\": [ {\"deviceId\": \"a\", \"primaryKey\": \"AAAA\", "
                    + "\"secondaryKey\": \"AAAAAAAAAAAAAAAAAAAAAA==\"} ]}",
            "{\"version\": 1, \"identities\": [ {\"deviceId\": \"a\", \"primaryKey\": \"AAAAAAAAAAAAAAAAAAAAAA==\", "
                    + "\"secondaryKey\": \"AAAAAAAAAAAAAAAAAAAAAA==\"}, {\"deviceId\": \"a\", "
                    + "\"primaryKey\": \"AAAAAAAAAAAAAAAAAAAAAA==\", \"secondaryKey\": \"AAAAAAAAAAAAAAAAAAAAAA==\"} ]}"})
    void anyInvalidContentCountsAsCorrupt(String content) throws Exception {
        Files.createDirectories(directory());
        Files.writeString(file(), content);

        assertThat(open().list()).isEmpty();

        assertThat(file()).doesNotExist();
        try (Stream<Path> files = Files.list(directory())) {
            List<Path> aside = files.toList();
            assertThat(aside).singleElement().satisfies(path -> {
                assertThat(path.getFileName().toString()).startsWith("identities.json.corrupt-");
                assertThat(path).hasContent(content);
            });
        }
    }

    @Test
    void aLeftoverTemporaryFileIsIgnored() throws Exception {
        open().add(IdentityId.device("plc-7"), KEY_A, KEY_B);
        Files.writeString(directory().resolve("identities.json.tmp"), "half-written");

        assertThat(open().list()).extracting(Identity::id).containsExactly(IdentityId.device("plc-7"));
        assertThat(directory().resolve("identities.json.tmp")).doesNotExist();
    }

    @Test
    void aChangeThatCannotBeSavedChangesNothing() throws Exception {
        FileIdentityRegistry registry = open();
        registry.add(IdentityId.device("plc-7"), KEY_A, KEY_B);
        String before = Files.readString(file());
        // A non-empty directory where the temporary file must go makes every save fail, even for root.
        Files.createDirectories(directory().resolve("identities.json.tmp").resolve("blocker"));

        assertThatThrownBy(() -> registry.add(IdentityId.device("plc-8"), null, null))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("nothing was changed");
        assertThatThrownBy(() -> registry.remove(IdentityId.device("plc-7")))
                .isInstanceOf(UncheckedIOException.class);

        assertThat(registry.list()).extracting(Identity::id).containsExactly(IdentityId.device("plc-7"));
        assertThat(Files.readString(file())).isEqualTo(before);
    }

    @Test
    void aChangedDirectoryIsLoadedOnModification() throws Exception {
        FileIdentityRegistry registry = open();
        registry.add(IdentityId.device("plc-7"), null, null);
        Path elsewhere = root.resolve("elsewhere");

        registry.modified(Configs.registry(elsewhere));
        assertThat(registry.list()).isEmpty();
        registry.add(IdentityId.device("plc-8"), null, null);

        assertThat(elsewhere.resolve("identities.json")).exists();
        assertThat(open().list()).extracting(Identity::id).containsExactly(IdentityId.device("plc-7"));
    }

    @Test
    void concurrentChangesAreAllKept() throws Exception {
        FileIdentityRegistry registry = open();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int thread = 0; thread < 4; thread++) {
                int t = thread;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 10; i++) {
                        registry.add(IdentityId.device("d" + t + "-" + i), null, null);
                        registry.list();
                    }
                }));
            }
            for (Future<?> future : done) {
                future.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(registry.list()).hasSize(40);
        assertThat(open().list()).hasSize(40);
    }

    private static String keyOf(int length, int seed) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (seed + i);
        }
        return Base64.getEncoder().encodeToString(bytes);
    }
}
