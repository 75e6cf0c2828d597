package io.gatehouse.twin.internal;

import static io.gatehouse.twin.internal.TwinStoreFixture.j;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.twin.InvalidTwinException;
import io.gatehouse.api.twin.Twin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TwinLimitsTest {
    private static final IdentityId ID = IdentityId.module("edge1", "m");
    private static final String BASE = "{\"ok\":{\"kept\":1}}";

    @TempDir
    Path dir;

    private FileTwinStore store;
    private final List<String> notified = new ArrayList<>();
    private Twin before;
    private String fileBefore;

    @BeforeEach
    void seed() throws Exception {
        store = new FileTwinStore(dir);
        store.patchDesired(ID, BASE);
        store.patchReported(ID, BASE);
        store.addListener((id, patch, version) -> notified.add(patch));
        before = store.get(ID);
        fileBefore = Files.readString(dir.resolve("edge1%2Fm.json"));
    }

    private static String nested(int levels) {
        return "{\"l\":".repeat(levels) + "1" + "}".repeat(levels);
    }

    static List<Arguments> refused() {
        String longName = "n".repeat(1025);
        return List.of(
                Arguments.of("malformed", "{\"a\":", "malformed JSON"),
                Arguments.of("trailing garbage", "{\"a\":1} x", "malformed JSON"),
                Arguments.of("array", "[1,2]", "must be a JSON object, got array"),
                Arguments.of("string", "\"s\"", "must be a JSON object, got string"),
                Arguments.of("empty", "", "must be a JSON object, got nothing"),
                Arguments.of("too deep", "{\"ok\":" + nested(11) + "}", "ok.l.l.l.l.l.l.l.l.l.l is nested deeper than 10 levels"),
                Arguments.of("too deep in array", "{\"a\":[[[[[[[[[[[1]]]]]]]]]]]}", "a[0][0][0][0][0][0][0][0][0][0] is nested deeper than 10"),
                Arguments.of("long name", "{\"ok\":{\"" + longName + "\":1}}", "in ok is 1025 bytes, at most 1024"),
                Arguments.of("long multibyte name", "{\"" + "é".repeat(513) + "\":1}", "is 1026 bytes, at most 1024"),
                Arguments.of("long string", "{\"ok\":{\"s\":\"" + "x".repeat(4097) + "\"}}", "ok.s is a string of 4097 bytes, at most 4096"),
                Arguments.of("long string in array", "{\"a\":[\"" + "x".repeat(4097) + "\"]}", "a[0] is a string of 4097 bytes"),
                Arguments.of("big integer", "{\"ok\":{\"i\":4503599627370497}}", "ok.i is 4503599627370497, integers must be within ±4503599627370496"),
                Arguments.of("small integer", "{\"i\":-4503599627370497}", "i is -4503599627370497"),
                Arguments.of("huge integer", "{\"i\":123456789012345678901234567890}", "integers must be within"),
                Arguments.of("null in array", "{\"ok\":{\"a\":[1,null]}}", "ok.a[1] is null; null is not allowed inside an array"),
                Arguments.of("dollar name", "{\"ok\":{\"$x\":1}}", "property name \"$x\" in ok is not allowed"),
                Arguments.of("nested $version", "{\"ok\":{\"$version\":1}}", "property name \"$version\" in ok is not allowed"),
                Arguments.of("dot name", "{\"a.b\":1}", "property name \"a.b\" is not allowed"),
                Arguments.of("space name", "{\"a b\":1}", "property name \"a b\" is not allowed"),
                Arguments.of("patch over 32 KiB", big("k", 9, 4000), "the patch would be"));
    }

    private static String big(String prefix, int strings, int length) {
        StringBuilder json = new StringBuilder("{");
        for (int i = 0; i < strings; i++) {
            json.append(i == 0 ? "" : ",").append('"').append(prefix).append(i).append("\":\"").append("x".repeat(length)).append('"');
        }
        return json.append('}').toString();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void refusedPatchesSayWhyAndChangeNothing(String name, String patch, String reason) throws Exception {
        assertThatThrownBy(() -> store.validate(patch)).isInstanceOf(InvalidTwinException.class).hasMessageContaining(reason);
        assertThatThrownBy(() -> store.patchDesired(ID, patch)).isInstanceOf(InvalidTwinException.class).hasMessageContaining(reason);
        assertThatThrownBy(() -> store.patchReported(ID, patch)).isInstanceOf(InvalidTwinException.class).hasMessageContaining(reason);
        assertThatThrownBy(() -> store.replaceDesired(ID, patch)).isInstanceOf(InvalidTwinException.class).hasMessageContaining(reason);

        assertUnchanged();
    }

    @Test
    void theResultingDocumentIsCheckedToo() throws Exception {
        // Each patch is under 32 KiB; together they are not.
        String first = big("k", 5, 4000);
        String second = big("m", 5, 4000);
        store.patchReported(ID, first);
        Twin afterFirst = store.get(ID);

        assertThat(second.length()).isLessThan(32 * 1024);
        store.validate(second);
        assertThatThrownBy(() -> store.patchReported(ID, second)).isInstanceOf(InvalidTwinException.class)
                .hasMessageContaining("the reported properties would be").hasMessageContaining("at most 32768");
        assertThat(store.get(ID)).isEqualTo(afterFirst);

        store.patchDesired(ID, first);
        assertThatThrownBy(() -> store.patchDesired(ID, second)).isInstanceOf(InvalidTwinException.class)
                .hasMessageContaining("the desired properties would be");
        assertThat(store.get(ID).desiredVersion()).isEqualTo(afterFirst.desiredVersion() + 1);
    }

    @Test
    void valuesAtTheLimitsAreAccepted() throws Exception {
        String atLimits = "{\"ok\":" + nested(10) + ",\"" + "n".repeat(1024) + "\":\"" + "x".repeat(4096)
                + "\",\"max\":4503599627370496,\"min\":-4503599627370496,\"f\":1.5e300,\"a\":[1,\"s\",{\"o\":true}]}";

        store.validate(atLimits);
        assertThat(store.patchReported(ID, atLimits)).isEqualTo(before.reportedVersion() + 1);
    }

    @Test
    void nullOutsideArraysRemovesAndIsNoViolation() throws Exception {
        store.validate(j("{'ok':null}"));
        assertThat(store.patchDesired(ID, j("{'ok':{'kept':null}}"))).isEqualTo(before.desiredVersion() + 1);
        assertThat(store.get(ID).desiredJson()).isEqualTo("{\"ok\":{}}");
    }

    private void assertUnchanged() throws Exception {
        assertThat(store.get(ID)).isEqualTo(before);
        assertThat(new FileTwinStore(dir).get(ID)).isEqualTo(before);
        assertThat(Files.readString(dir.resolve("edge1%2Fm.json"))).isEqualTo(fileBefore);
        assertThat(notified).isEmpty();
    }
}
