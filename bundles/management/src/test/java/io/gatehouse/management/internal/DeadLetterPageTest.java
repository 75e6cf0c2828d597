package io.gatehouse.management.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.api.message.Message;
import io.gatehouse.api.store.DeadLetter;
import org.junit.jupiter.api.Test;

class DeadLetterPageTest {
    private static final int MIB = 1024 * 1024;
    private final InMemoryMessageStore store = new InMemoryMessageStore();

    private void deadLetters(int count, byte[] body) {
        for (int i = 0; i < count; i++) {
            store.deadLetter("$upstream", 0, 0, "bad", Message.builder().body(body).build());
        }
    }

    @Test
    void smallLettersAreReadInGrowingStepsUpToOneMoreThanTheLimit() {
        deadLetters(150, new byte[10]);

        DeadLetterPage page = DeadLetterPage.read(store, "$upstream", 100, 8L * MIB);

        assertThat(page.letters()).hasSize(100).extracting(DeadLetter::sequence).startsWith(1L, 2L).endsWith(100L);
        assertThat(page.more()).isTrue();
        assertThat(store.maxAsked).containsExactly(16, 32, 64, 101);
    }

    @Test
    void stepsGrowByAtMost64Letters() {
        deadLetters(400, new byte[0]);

        DeadLetterPage page = DeadLetterPage.read(store, "$upstream", 300, 8L * MIB);

        assertThat(page.letters()).hasSize(300);
        assertThat(store.maxAsked).containsExactly(16, 32, 64, 128, 192, 256, 301);
    }

    @Test
    void anEndpointWithFewerLettersThanTheLimitIsReadOnceAndHasNoMore() {
        deadLetters(3, new byte[10]);

        DeadLetterPage page = DeadLetterPage.read(store, "$upstream", 1000, 8L * MIB);

        assertThat(page.letters()).hasSize(3);
        assertThat(page.more()).isFalse();
        assertThat(store.maxAsked).containsExactly(16);
        assertThat(DeadLetterPage.read(store, "$upstream", 3, 8L * MIB).more()).isFalse();
        assertThat(DeadLetterPage.read(store, "nobody", 3, 8L * MIB).letters()).isEmpty();
    }

    @Test
    void readingStopsOnceTheBudgetIsPassedAndThePageKeepsWithinIt() {
        // One shared array: the test itself must not hold 40 MiB.
        deadLetters(40, new byte[MIB]);

        DeadLetterPage page = DeadLetterPage.read(store, "$upstream", 1000, 8L * MIB);

        assertThat(page.letters()).hasSize(8);
        assertThat(page.more()).isTrue();
        assertThat(store.maxAsked).containsExactly(16);
    }

    @Test
    void theFirstLetterIsListedWhateverItsSize() {
        deadLetters(2, new byte[3 * MIB]);

        DeadLetterPage page = DeadLetterPage.read(store, "$upstream", 10, 2L * MIB);

        assertThat(page.letters()).hasSize(1);
        assertThat(page.more()).isTrue();
    }
}
