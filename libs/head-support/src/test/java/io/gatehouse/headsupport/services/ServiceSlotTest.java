package io.gatehouse.headsupport.services;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class ServiceSlotTest {
    private final ServiceSlot<String> slot = new ServiceSlot<>();

    @Test
    void aGreedyRebindKeepsTheSuccessorWhenThePredecessorIsUnbound() {
        List<String> seen = new ArrayList<>();
        slot.onChange(seen::add);
        slot.set("a");
        slot.set("b");
        slot.clear("a");
        assertThat(slot.get()).isEqualTo("b");
        slot.clear("b");
        assertThat(slot.get()).isNull();
        assertThat(seen).containsExactly("a", "b", null);
    }

    @Test
    void aRemovedListenerHearsNothingMore() {
        List<String> seen = new ArrayList<>();
        Consumer<String> listener = seen::add;
        slot.onChange(listener);
        slot.set("a");
        slot.removeListener(listener);
        slot.set("b");
        assertThat(seen).containsExactly("a");
    }

    @Test
    void awaitReturnsAtOnceWaitsForABindOrGivesUpWithNull() throws Exception {
        slot.set("a");
        assertThat(slot.await(0)).isEqualTo("a");
        slot.clear("a");
        long start = System.nanoTime();
        assertThat(slot.await(100)).isNull();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(90);

        CompletableFuture<String> waiter = CompletableFuture.supplyAsync(() -> {
            try {
                return slot.await(10_000);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(50);
        assertThat(waiter).isNotDone();
        slot.set("b");
        assertThat(waiter.get(5, TimeUnit.SECONDS)).isEqualTo("b");
    }
}
