package io.gatehouse.headsupport.ingest;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The one thread on which a head routes and stores what its clients send: the network threads
 * never wait for a disk, and one thread keeps every sender's order.
 */
public final class IngestThread implements AutoCloseable {
    private final ExecutorService worker;

    public IngestThread(String name) {
        this.worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /** @throws RejectedExecutionException once closed */
    public void execute(Runnable task) {
        worker.execute(task);
    }

    /** Lets what was handed over finish (up to 10 s), then stops the thread. */
    @Override
    public void close() {
        worker.shutdown();
        try {
            if (!worker.awaitTermination(10, TimeUnit.SECONDS)) worker.shutdownNow();
        } catch (InterruptedException e) {
            worker.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
