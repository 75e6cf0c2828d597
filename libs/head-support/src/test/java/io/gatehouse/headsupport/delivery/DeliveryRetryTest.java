package io.gatehouse.headsupport.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The retry on a scheduler that only records: the test runs what is due itself. */
class DeliveryRetryTest {
    /** A task the scheduler was given, with its delay; never runs by itself. */
    static final class Armed implements ScheduledFuture<Object> {
        final Runnable task;
        final long delayMillis;
        boolean cancelled;

        Armed(Runnable task, long delayMillis) {
            this.task = task;
            this.delayMillis = delayMillis;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(delayMillis, TimeUnit.MILLISECONDS);
        }

        @Override
        public int compareTo(Delayed o) {
            return Long.compare(delayMillis, o.getDelay(TimeUnit.MILLISECONDS));
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            cancelled = true;
            return true;
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }

        @Override
        public boolean isDone() {
            return cancelled;
        }

        @Override
        public Object get() {
            return null;
        }

        @Override
        public Object get(long timeout, TimeUnit unit) {
            return null;
        }
    }

    private final List<Armed> armed = new ArrayList<>();
    private final AtomicInteger retries = new AtomicInteger();
    private final DeliveryRetry retry = new DeliveryRetry("inputs of edge1/sink", (task, delay) -> {
        Armed a = new Armed(task, delay);
        armed.add(a);
        return a;
    }, retries::incrementAndGet);

    private Armed last() {
        return armed.get(armed.size() - 1);
    }

    @Test
    void oneRetryIsArmedAtATimeAndItsDelayGrowsUntilReset() {
        retry.schedule("the store failed");
        retry.schedule("the store failed again");
        assertThat(armed).hasSize(1);
        assertThat(last().delayMillis).isEqualTo(1000);
        assertThat(retry.armed()).isTrue();

        last().task.run();
        assertThat(retries).hasValue(1);
        assertThat(retry.armed()).isFalse();

        retry.schedule("still failing");
        assertThat(last().delayMillis).isBetween(1800L, 2200L);
        last().task.run();
        retry.resetBackoff();
        retry.schedule("failing after a success");
        assertThat(last().delayMillis).isEqualTo(1000);
    }

    @Test
    void aClientThatRespondsBringsALongRetryForwardOrDropsItWhenNothingIsLeft() {
        retry.schedule("1");
        last().task.run();
        retry.schedule("2");
        Armed longOne = last();
        assertThat(longOne.delayMillis).isGreaterThan(1000);

        retry.clientResponded(() -> true);
        assertThat(longOne.cancelled).isTrue();
        assertThat(last().delayMillis).isEqualTo(1000);

        Armed shortOne = last();
        retry.clientResponded(() -> true);
        assertThat(shortOne.cancelled).as("already the shortest").isFalse();

        retry.clientResponded(() -> false);
        assertThat(shortOne.cancelled).isTrue();
        assertThat(retry.armed()).isFalse();

        retry.clientResponded(() -> {
            throw new AssertionError("asked without a retry armed");
        });
        retry.schedule("3");
        assertThat(last().delayMillis).as("the backoff started over").isEqualTo(1000);
    }

    @Test
    void cancelDisarms() {
        retry.schedule("x");
        retry.cancel();
        assertThat(last().cancelled).isTrue();
        assertThat(retry.armed()).isFalse();
        retry.schedule("y");
        assertThat(armed).hasSize(2);
    }

    @Test
    void aPumpSignalledManyTimesRunsOnceUntilItStarts() {
        List<Runnable> loop = new ArrayList<>();
        AtomicInteger pumps = new AtomicInteger();
        CoalescedPump pump = new CoalescedPump(loop::add, pumps::incrementAndGet);
        pump.signal();
        pump.signal();
        pump.signal();
        assertThat(loop).hasSize(1);
        loop.remove(0).run();
        assertThat(pumps).hasValue(1);
        pump.signal();
        assertThat(loop).hasSize(1);
    }
}
