package io.gatehouse.management.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MessageBodiesTest {

    @Test
    void utf8TextIsDecodedAndAnythingElseIsNot() {
        assertThat(MessageBodies.utf8OrNull("{\"t\": 21.5, \"unit\": \"°C\"}".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("{\"t\": 21.5, \"unit\": \"°C\"}");
        assertThat(MessageBodies.utf8OrNull(new byte[0])).isEmpty();
        assertThat(MessageBodies.utf8OrNull(new byte[] {(byte) 0xff, 0x00})).isNull();
        // Latin-1 "°" alone is not UTF-8: a lenient decoder would have shown U+FFFD instead of refusing.
        assertThat(MessageBodies.utf8OrNull(new byte[] {'2', '1', (byte) 0xb0})).isNull();
        // A truncated multi-byte sequence.
        assertThat(MessageBodies.utf8OrNull(new byte[] {'a', (byte) 0xe2, (byte) 0x82})).isNull();
    }

    @Test
    void aPreviewIsOneLineOfAtMostFortyCharacters() {
        assertThat(MessageBodies.preview("line1\nline2\tx".getBytes(StandardCharsets.UTF_8))).isEqualTo("line1 line2 x");
        assertThat(MessageBodies.preview("x".repeat(40).getBytes(StandardCharsets.UTF_8))).isEqualTo("x".repeat(40));
        assertThat(MessageBodies.preview("é".repeat(41).getBytes(StandardCharsets.UTF_8))).isEqualTo("é".repeat(40) + "…");
        assertThat(MessageBodies.preview(new byte[] {(byte) 0xff, 0x00, 0x01})).isEqualTo("base64:/wAB");
    }
}
