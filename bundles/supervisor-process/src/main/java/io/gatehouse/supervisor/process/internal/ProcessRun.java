package io.gatehouse.supervisor.process.internal;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** One launch of a module: its process, the thread pumping its output, and how it ended. */
final class ProcessRun {

    final Process process;
    final Thread pump;
    /** Completed once the exit is recorded and the listeners are told. */
    final CompletableFuture<Void> settled = new CompletableFuture<>();
    volatile boolean stopRequested;
    volatile boolean forced;
    volatile Duration stopTimeout = Duration.ZERO;

    ProcessRun(Process process, Thread pump) {
        this.process = process;
        this.pump = pump;
    }
}
