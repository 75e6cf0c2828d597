package io.gatehouse.headsupport.twin;

import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.twin.InvalidTwinException;
import io.gatehouse.api.twin.Twin;
import io.gatehouse.api.twin.TwinStore;
import io.gatehouse.headsupport.services.ServiceSlot;
import java.io.IOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the twin GETs and reported patches of every connection of a head on one thread of its
 * own: the twin store writes to disk, which must not stall a network thread, and one thread keeps
 * each client's requests in order. The statuses are IoT Hub's: 200 with the twin, 204 with the
 * new reported version, 400 for a refused patch (nothing changed), 429 when too many requests
 * wait, 503 without a twin store or when it failed, 500 when it failed unexpectedly. The head
 * renders them in its protocol.
 *
 * @param <A> the head's answer
 */
public final class TwinRequestThread<A> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TwinRequestThread.class);

    public enum Kind { GET, PATCH_REPORTED }

    /** How the head renders each outcome; called on the twin thread (429: on the caller's). */
    public interface Answers<A> {
        /** 200 with the twin. */
        A twin(Twin twin);

        /** 204 with the new reported version. */
        A reported(long version);

        /** An error status with its reason. */
        A failed(int status, String reason);
    }

    private final String label;
    private final ServiceSlot<TwinStore> store;
    private final Answers<A> answers;
    private final ThreadPoolExecutor executor;
    private final int maxQueued;
    /** The cause of the last WARN, so that a store away for an hour is one line, not one per request. */
    private final AtomicReference<String> lastWarning = new AtomicReference<>();

    /**
     * @param label what the logs call the requests, e.g. "Twin requests over AMQP"
     * @param maxQueued requests of all connections waiting for the thread; beyond that they are answered 429
     */
    public TwinRequestThread(String label, String threadName, ServiceSlot<TwinStore> store, int maxQueued,
            Answers<A> answers) {
        this.label = label;
        this.store = store;
        this.maxQueued = maxQueued;
        this.answers = answers;
        this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(maxQueued), r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Serves a request of {@code identity}, the client's authenticated identity, then hands the
     * answer to {@code done} on the twin thread; a 429 goes to {@code done} at once, and nothing
     * once the head is stopping (the client asks again elsewhen).
     */
    public void submit(IdentityId identity, Kind kind, String body, Consumer<A> done) {
        try {
            executor.execute(() -> done.accept(serve(identity, kind, body)));
        } catch (RejectedExecutionException e) {
            if (executor.isShutdown()) return;
            warnOnce(maxQueued + " twin requests are waiting already; answering 429");
            done.accept(answers.failed(429, "too many twin requests, try again later"));
        }
    }

    private A serve(IdentityId identity, Kind kind, String body) {
        TwinStore twins = store.get();
        if (twins == null) {
            warnOnce("no twin store in service (the twin bundle is away); answering 503");
            return answers.failed(503, "the twin store is not available, try again later");
        }
        try {
            A answer = switch (kind) {
                case GET -> answers.twin(twins.get(identity));
                case PATCH_REPORTED -> answers.reported(twins.patchReported(identity, body));
            };
            if (lastWarning.getAndSet(null) != null) LOG.info("{} are served again", label);
            return answer;
        } catch (InvalidTwinException e) {
            LOG.debug("Refused reported patch of {}: {}", identity, e.getMessage());
            return answers.failed(400, e.getMessage());
        } catch (IOException e) {
            warnOnce("the twin store failed (" + e + "); answering 503");
            return answers.failed(503, "the twin store failed, try again later");
        } catch (RuntimeException e) {
            warnOnce("the twin store failed unexpectedly (" + e + "); answering 500");
            return answers.failed(500, "the twin store failed");
        }
    }

    private void warnOnce(String cause) {
        if (!cause.equals(lastWarning.getAndSet(cause))) LOG.warn("{}: {}", label, cause);
    }

    /** Lets the requests already taken finish (each is one store call), then stops the thread. */
    @Override
    public void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(2, TimeUnit.SECONDS)) executor.shutdownNow();
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
