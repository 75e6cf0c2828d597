package io.gatehouse.store.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.api.message.Message;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class MessageCodecTest {

    @Test
    void roundTripsBodyAndBothPropertyMapsInOrder() {
        byte[] body = new byte[300];
        for (int i = 0; i < body.length; i++) body[i] = (byte) i;
        Message message = Message.builder()
                .body(body)
                .systemProperty("messageId", "ü-1")
                .systemProperty("enqueuedTime", "1800000000000")
                .property("z", "last-first")
                .property("a", "")
                .property("模块", "値")
                .build();

        Message decoded = MessageCodec.decode(MessageCodec.encode(message));

        assertThat(decoded).isEqualTo(message);
        assertThat(decoded.properties().keySet()).containsExactly("z", "a", "模块");
    }

    @Test
    void encodingIntoAReusedBufferGivesTheSameBytesAndGrowsItWhenTooSmall() {
        Message message = Message.builder()
                .body(new byte[5000])
                .systemProperty("messageId", "x".repeat(200))
                .property("ü", "値".repeat(100))
                .build();
        byte[] exact = MessageCodec.encode(message);

        byte[] small = new byte[16];
        MessageCodec.Writer grown = MessageCodec.encode(message, small);
        assertThat(grown.buffer).isNotSameAs(small);
        assertThat(Arrays.copyOf(grown.buffer, grown.position)).isEqualTo(exact);

        byte[] large = new byte[8192];
        Arrays.fill(large, (byte) 7); // left over from an earlier message
        MessageCodec.Writer reused = MessageCodec.encode(message, large);
        assertThat(reused.buffer).isSameAs(large);
        assertThat(Arrays.copyOf(reused.buffer, reused.position)).isEqualTo(exact);
        assertThat(MessageCodec.decode(exact)).isEqualTo(message);
    }

    @Test
    void roundTripsAnEmptyMessage() {
        Message empty = Message.builder().build();
        assertThat(MessageCodec.encode(empty)).hasSize(3);
        assertThat(MessageCodec.decode(MessageCodec.encode(empty))).isEqualTo(empty);
    }

    @Test
    void refusesTruncatedOrPaddedRecords() {
        byte[] encoded = MessageCodec.encode(Message.builder()
                .body("hello".getBytes(StandardCharsets.UTF_8)).property("k", "v").build());

        for (int length = 0; length < encoded.length; length++) {
            byte[] truncated = Arrays.copyOf(encoded, length);
            assertThatThrownBy(() -> MessageCodec.decode(truncated))
                    .as("truncated to %d bytes", length)
                    .isInstanceOf(MessageCodec.CorruptRecordException.class);
        }
        byte[] padded = Arrays.copyOf(encoded, encoded.length + 1);
        assertThatThrownBy(() -> MessageCodec.decode(padded)).isInstanceOf(MessageCodec.CorruptRecordException.class);
        assertThatThrownBy(() -> MessageCodec.decode(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
                (byte) 0xFF, 0x01})).isInstanceOf(MessageCodec.CorruptRecordException.class);
    }
}
