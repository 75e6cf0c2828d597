package io.gatehouse.amqp.internal;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The current instance of a dynamic service reference. While the service is away (its bundle is
 * being updated) callers wait for it instead of failing, so a hot swap delays transfers but
 * loses none.
 */
final class ServiceSlot<T> {
    private final CopyOnWriteArrayList<Consumer<T>> listeners = new CopyOnWriteArrayList<>();
    private T current;

    synchronized T get() {
        return current;
    }

    void set(T service) {
        synchronized (this) {
            current = service;
            notifyAll();
        }
        listeners.forEach(l -> l.accept(service));
    }

    /** Clears the slot only if it still holds {@code service}: a greedy rebind binds the successor first. */
    void clear(T service) {
        boolean cleared;
        synchronized (this) {
            cleared = current == service;
            if (cleared) current = null;
        }
        if (cleared) listeners.forEach(l -> l.accept(null));
    }

    /** Waits up to {@code timeoutMillis} for the service; null if it did not come. */
    synchronized T await(long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (current == null) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) return null;
            wait(left);
        }
        return current;
    }

    void onChange(Consumer<T> listener) {
        listeners.add(listener);
    }

    void removeListener(Consumer<T> listener) {
        listeners.remove(listener);
    }
}
