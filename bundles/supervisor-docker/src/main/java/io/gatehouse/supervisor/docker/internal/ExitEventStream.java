package io.gatehouse.supervisor.docker.internal;

import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventType;
import io.gatehouse.api.module.ModuleRuntimeException;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the engine's {@code die} events of our containers on its own thread and reports each
 * exit. When the stream breaks (dockerd restarted, socket gone) it reconnects with a growing pause
 * and asks for the events it missed since the last one it saw, so that no exit goes unreported.
 */
final class ExitEventStream implements AutoCloseable {

    /** Told of one container's exit, on the stream's thread. */
    @FunctionalInterface
    interface ExitHandler {
        void exited(String containerId, String name, int exitCode);
    }

    static final Duration FIRST_RETRY = Duration.ofMillis(500);
    static final Duration MAX_RETRY = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(ExitEventStream.class);

    private final DockerEngine engine;
    private final ExitHandler handler;
    private final Thread thread;
    private final CountDownLatch closing = new CountDownLatch(1);
    private volatile Closeable current;
    /** The newest event seen, in the engine's nanoseconds: a reconnection asks for what follows. */
    private long lastEventNanos;
    /** The events seen at {@link #lastEventNanos}, which a reconnection will be sent again. */
    private final Set<String> seenAtLast = new HashSet<>();

    ExitEventStream(DockerEngine engine, ExitHandler handler, Instant since) {
        this.engine = engine;
        this.handler = handler;
        this.lastEventNanos = since.getEpochSecond() * 1_000_000_000L + since.getNano();
        this.thread = new Thread(this::run, "gatehouse-docker-events");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void run() {
        Duration pause = FIRST_RETRY;
        while (closing.getCount() > 0) {
            try {
                engine.call("following the Docker engine's events", client -> {
                    client.pingCmd().exec();
                    return null;
                });
                pause = FIRST_RETRY;
                follow();
            } catch (ModuleRuntimeException e) {
                // the engine logged its unreachability once already
                LOG.debug("Docker event stream: {}", e.getMessage());
            } catch (RuntimeException e) {
                LOG.warn("The Docker event stream failed; following it again in {} ms", pause.toMillis(), e);
            }
            try {
                if (closing.await(pause.toMillis(), TimeUnit.MILLISECONDS)) return;
            } catch (InterruptedException e) {
                return;
            }
            pause = pause.multipliedBy(2).compareTo(MAX_RETRY) > 0 ? MAX_RETRY : pause.multipliedBy(2);
        }
    }

    /** Returns when the stream ends: the engine went away, or we are closing. */
    private void follow() throws ModuleRuntimeException {
        StreamCallback callback = new StreamCallback();
        engine.call("following the Docker engine's events", client -> client.eventsCmd()
                .withEventTypeFilter(EventType.CONTAINER)
                .withEventFilter("die")
                .withLabelFilter(Map.of(ModuleLabels.OWNER, ModuleLabels.OWNER_VALUE))
                .withSince(since())
                .exec(callback));
        current = callback;
        if (closing.getCount() == 0) {
            closeQuietly(callback);
            return;
        }
        try {
            callback.awaitEnd();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            current = null;
            closeQuietly(callback);
        }
        Throwable failure = callback.failure();
        if (failure != null && closing.getCount() > 0) {
            IOException io = DockerEngine.ioCause(failure);
            if (io != null) engine.unreachable(io);
            else LOG.warn("The Docker event stream broke: {}", DockerEngine.describe(failure));
        }
    }

    private synchronized String since() {
        long seconds = lastEventNanos / 1_000_000_000L;
        long nanos = lastEventNanos % 1_000_000_000L;
        return seconds + "." + String.format("%09d", nanos);
    }

    private void received(Event event) {
        if (!"die".equals(event.getAction()) && !"die".equals(event.getStatus())) return;
        Map<String, String> attributes = event.getActor() == null ? Map.of() : event.getActor().getAttributes();
        if (attributes == null || !ModuleLabels.isOurs(attributes)) return;
        String id = event.getActor().getId() != null ? event.getActor().getId() : event.getId();
        long nanos = event.getTimeNano() != null ? event.getTimeNano()
                : event.getTime() == null ? 0 : event.getTime() * 1_000_000_000L;
        synchronized (this) {
            // a reconnection replays from the newest event seen, that one included
            if (nanos < lastEventNanos) return;
            if (nanos > lastEventNanos) {
                lastEventNanos = nanos;
                seenAtLast.clear();
            }
            if (!seenAtLast.add(id)) return;
        }
        String name = attributes.get("name");
        int code;
        try {
            code = Integer.parseInt(attributes.getOrDefault("exitCode", "-1"));
        } catch (NumberFormatException e) {
            code = -1;
        }
        if (name != null) handler.exited(id, name, code);
    }

    @Override
    public void close() {
        closing.countDown();
        closeQuietly(current);
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(Closeable closeable) {
        if (closeable == null) return;
        try {
            closeable.close();
        } catch (IOException | RuntimeException ignored) {
            // closing a broken stream
        }
    }

    private final class StreamCallback extends QuietCallback<Event> {
        @Override
        public void onNext(Event event) {
            try {
                received(event);
            } catch (RuntimeException e) {
                LOG.warn("Handling a Docker event failed", e);
            }
        }
    }
}
