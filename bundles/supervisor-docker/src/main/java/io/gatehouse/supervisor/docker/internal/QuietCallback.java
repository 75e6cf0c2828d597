package io.gatehouse.supervisor.docker.internal;

import com.github.dockerjava.api.async.ResultCallback;
import java.io.Closeable;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A docker-java stream callback that keeps its failure for the caller to report. docker-java's own
 * adapter logs every failure at ERROR, which would log an unreachable engine or a refused pull a
 * second time, with a stack trace.
 */
abstract class QuietCallback<T> implements ResultCallback<T> {

    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile Throwable failure;
    private volatile Closeable stream;

    @Override
    public void onStart(Closeable stream) {
        this.stream = stream;
    }

    @Override
    public void onError(Throwable throwable) {
        if (failure == null) failure = throwable;
        ended.countDown();
    }

    @Override
    public void onComplete() {
        ended.countDown();
    }

    /** Waits for the end of the stream; false when it has not ended within the time. */
    boolean awaitEnd(long time, TimeUnit unit) throws InterruptedException {
        return ended.await(time, unit);
    }

    void awaitEnd() throws InterruptedException {
        ended.await();
    }

    /** What ended the stream, or null when it ended normally (or is still open). */
    Throwable failure() {
        return failure;
    }

    /** Rethrows the failure, for {@link DockerEngine#call} to translate. */
    void throwFailure() {
        Throwable f = failure;
        if (f instanceof RuntimeException e) throw e;
        if (f instanceof Error e) throw e;
        if (f != null) throw new IllegalStateException(f);
    }

    @Override
    public void close() throws IOException {
        try {
            Closeable s = stream;
            if (s != null) s.close();
        } finally {
            ended.countDown();
        }
    }
}
