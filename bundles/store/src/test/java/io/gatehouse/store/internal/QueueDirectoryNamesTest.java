package io.gatehouse.store.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class QueueDirectoryNamesTest {

    @ParameterizedTest
    @ValueSource(strings = {"$upstream", "edge1/sink/in1", "a", "dev-1/mod_2/input.3", "ünïcödé/模块/in",
            "..", ".hidden", "with space/%41", "x.p5", "%"})
    void namesAreSafeAndDecodeToTheSameQueue(String endpointId) {
        QueueKey key = new QueueKey(endpointId, 7);
        String name = QueueDirectoryNames.directoryName(key);

        assertThat(name).doesNotContain("/", "\\", " ", "$").doesNotStartWith(".");
        assertThat(name).matches("[A-Za-z0-9_%-]+\\.p7");
        assertThat(QueueDirectoryNames.parse(name)).contains(key);
    }

    @ParameterizedTest
    @ValueSource(strings = {"plain", ".p1", "abc.p", "abc.pX", "a%2.p1", "a%2f.p1", "a$b.p1", "a/b.p1", "a%2Fb.p01",
            "a.b.p1", "%C3.p1"})
    void namesThisStoreDidNotWriteAreNotQueues(String name) {
        assertThat(QueueDirectoryNames.parse(name)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 9, -1, 2_000_000_000})
    void everyPriorityRoundTrips(int priority) {
        QueueKey key = new QueueKey("e/1", priority);
        assertThat(QueueDirectoryNames.parse(QueueDirectoryNames.directoryName(key))).contains(key);
    }

    @org.junit.jupiter.api.Test
    void emptyAndOverlongEndpointIdsHaveAReason() {
        assertThat(QueueDirectoryNames.invalidReason("")).contains("empty");
        assertThat(QueueDirectoryNames.invalidReason(null)).contains("empty");
        assertThat(QueueDirectoryNames.invalidReason("/".repeat(100))).contains("too long");
        assertThat(QueueDirectoryNames.invalidReason("edge1/sink/in1")).isNull();
    }
}
