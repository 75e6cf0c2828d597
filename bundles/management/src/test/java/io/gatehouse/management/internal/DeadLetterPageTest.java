package io.gatehouse.management.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.api.message.Message;
import io.gatehouse.api.store.DeadLetter;
import java.util.List;
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
    void lettersAreReadInStepsEachAfterTheLastReadUpToOneMoreThanTheLimit() {
        deadLetters(150, new byte[10]);

        DeadLetterPage page = DeadLetterPage.read(store, "$upstream", 100, 8L * MIB);

        assertThat(page.letters()).hasSize(100).extracting(DeadLetter::sequence).startsWith(1L, 2L).endsWith(100L);
        assertThat(page.more()).isTrue();
        assertThat(store.pagesAsked).containsExactly(List.of(-1L, 64L), List.of(64L, 37L));
    }

    @Test
    void noStepReadsMoreThan64LettersAndNoneReadsALetterTwice() {
        deadLetters(400, new byte[0]);

        DeadLetterPage page = DeadLetterPage.read(store, "$upstream", 300, 8L * MIB);

        assertThat(page.letters()).hasSize(300);
        assertThat(page.letters()).extracting(DeadLetter::sequence).doesNotHaveDuplicates();
        assertThat(store.pagesAsked).containsExactly(List.of(-1L, 64L), List.of(64L, 64L), List.of(128L, 64L),
                List.of(192L, 64L), List.of(256L, 45L));
    }

    @Test
    void anEndpointWithFewerLettersThanTheLimitIsReadOnceAndHasNoMore() {
        deadLetters(3, new byte[10]);

        DeadLetterPage page = DeadLetterPage.read(store, "$upstream", 1000, 8L * MIB);

        assertThat(page.letters()).hasSize(3);
        assertThat(page.more()).isFalse();
        assertThat(store.pagesAsked).containsExactly(List.of(-1L, 64L));
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
        assertThat(store.pagesAsked).as("one step, then no more reading").containsExactly(List.of(-1L, 64L));
    }

    @Test
    void theFirstLetterIsListedWhateverItsSize() {
        deadLetters(2, new byte[3 * MIB]);

        DeadLetterPage page = DeadLetterPage.read(store, "$upstream", 10, 2L * MIB);

        assertThat(page.letters()).hasSize(1);
        assertThat(page.more()).isTrue();
    }
}
