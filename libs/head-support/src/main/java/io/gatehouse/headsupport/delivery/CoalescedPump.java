package io.gatehouse.headsupport.delivery;

import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs a delivery's pump on its connection's thread when the store signals new messages: one
 * task queued at a time, however many appends signal meanwhile.
 */
public final class CoalescedPump {
    private final AtomicBoolean queued = new AtomicBoolean();
    private final Executor loop;
    private final Runnable pump;

    public CoalescedPump(Executor loop, Runnable pump) {
        this.loop = loop;
        this.pump = pump;
    }

    /** Any thread: the pump runs on the loop after this, once for all signals before it starts. */
    public void signal() {
        if (queued.compareAndSet(false, true)) {
            loop.execute(() -> {
                queued.set(false);
                pump.run();
            });
        }
    }
}
