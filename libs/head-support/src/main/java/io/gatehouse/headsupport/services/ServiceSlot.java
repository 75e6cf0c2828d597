package io.gatehouse.headsupport.services;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Holds the current instance of a dynamic service reference. While the service is away (its
 * bundle is being updated) callers can wait for it instead of failing, which is what keeps
 * messages flowing, unacknowledged but not lost, through a hot swap.
 */
public final class ServiceSlot<T> {
    private final CopyOnWriteArrayList<Consumer<T>> listeners = new CopyOnWriteArrayList<>();
    private T current;

    public synchronized T get() {
        return current;
    }

    public void set(T service) {
        synchronized (this) {
            current = service;
            notifyAll();
        }
        for (Consumer<T> l : listeners) l.accept(service);
    }

    /** Clears the slot only if it still holds {@code service}: a greedy rebind binds the successor first. */
    public void clear(T service) {
        boolean cleared;
        synchronized (this) {
            cleared = current == service;
            if (cleared) current = null;
        }
        if (cleared) for (Consumer<T> l : listeners) l.accept(null);
    }

    /** Waits up to {@code timeoutMillis} for the service; null if it did not come. */
    public synchronized T await(long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (current == null) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) return null;
            wait(left);
        }
        return current;
    }

    /** Called with the new instance (or null) whenever the service changes. */
    public void onChange(Consumer<T> listener) {
        listeners.add(listener);
    }

    public void removeListener(Consumer<T> listener) {
        listeners.remove(listener);
    }
}
