package io.gatehouse.headsupport.delivery;

import io.gatehouse.api.delivery.RetryBackoff;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one retry a delivery of a store queue to a client has armed at a time, after the
 * reference's exponential backoff. Used on the delivery's own thread only.
 */
public final class DeliveryRetry {
    private static final Logger LOG = LoggerFactory.getLogger(DeliveryRetry.class);

    /** Schedules on the delivery's thread. */
    public interface Scheduler {
        ScheduledFuture<?> schedule(Runnable task, long delayMillis);
    }

    private final String description;
    private final Scheduler scheduler;
    private final Runnable retryNow;
    private final RetryBackoff backoff = new RetryBackoff();
    private ScheduledFuture<?> retry;

    /**
     * @param description what the logs call the delivery, e.g. "inputs of edge1/sink"
     * @param retryNow what the retry does when it is due
     */
    public DeliveryRetry(String description, Scheduler scheduler, Runnable retryNow) {
        this.description = description;
        this.scheduler = scheduler;
        this.retryNow = retryNow;
    }

    /** Arms the retry after the next backoff delay, unless one is armed already. */
    public void schedule(String failure) {
        if (retry != null) {
            LOG.debug("Delivery of {}: {} (a retry is already due)", description, failure);
            return;
        }
        Duration delay = backoff.nextDelay();
        LOG.warn("Delivery of {}: {}; retrying in {} ms", description, failure, delay.toMillis());
        arm(delay);
    }

    /** The next failure waits the shortest delay again. */
    public void resetBackoff() {
        backoff.reset();
    }

    /**
     * The client took a message, so it is working: the backoff starts over, and an armed retry
     * with a long delay is brought forward to the shortest one, or dropped when
     * {@code workLeft} says it has nothing left to do (asked only when a retry is armed).
     */
    public void clientResponded(BooleanSupplier workLeft) {
        backoff.reset();
        if (retry == null) return;
        if (!workLeft.getAsBoolean()) {
            cancel();
        } else if (retry.getDelay(TimeUnit.MILLISECONDS) > RetryBackoff.MIN_DELAY.toMillis()) {
            cancel();
            arm(backoff.nextDelay());
        }
    }

    public boolean armed() {
        return retry != null;
    }

    public void cancel() {
        if (retry != null) retry.cancel(false);
        retry = null;
    }

    private void arm(Duration delay) {
        retry = scheduler.schedule(() -> {
            retry = null;
            retryNow.run();
        }, delay.toMillis());
    }
}
