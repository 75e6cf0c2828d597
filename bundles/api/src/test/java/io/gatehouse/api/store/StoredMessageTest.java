package io.gatehouse.api.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.api.message.Message;
import org.junit.jupiter.api.Test;

class StoredMessageTest {
    private final Message message = Message.builder().body(new byte[] {1}).build();

    @Test
    void aMessageExpiresAtItsExpiryAndNotBefore() {
        StoredMessage m = new StoredMessage("ep", 0, 7, message, 1_000);
        assertThat(m.expiredAt(999)).isFalse();
        assertThat(m.expiredAt(1_000)).isTrue();
    }

    @Test
    void withoutAnExpiryItNeverExpires() {
        StoredMessage m = new StoredMessage("ep", 0, 7, message);
        assertThat(m.expiresAtMillis()).isEqualTo(StoredMessage.NEVER);
        assertThat(m.expiredAt(Long.MAX_VALUE - 1)).isFalse();
    }
}
