package io.gatehouse.supervisor.process.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Ends a process together with the processes it started. Java cannot signal a process group, so
 * the descendants are listed before the first signal: once the root exits, its orphans are no
 * longer its descendants and could not be found again.
 */
final class ProcessTree {

    private static final long POLL_MILLIS = 20;

    private ProcessTree() {
    }

    /**
     * SIGTERM to the root and its descendants; whatever still runs when {@code timeout} has passed
     * gets SIGKILL.
     *
     * @return true when some process had to be killed
     */
    static boolean terminate(ProcessHandle root, Duration timeout) throws InterruptedException {
        Set<ProcessHandle> tree = new LinkedHashSet<>();
        tree.add(root);
        tree.addAll(root.descendants().toList());
        tree.forEach(ProcessHandle::destroy);

        long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
        for (ProcessHandle handle : tree) {
            awaitExit(handle, deadline - System.nanoTime());
        }
        if (root.isAlive()) tree.addAll(root.descendants().toList());
        List<ProcessHandle> alive = new ArrayList<>();
        for (ProcessHandle handle : tree) {
            if (running(handle)) alive.add(handle);
        }
        alive.forEach(ProcessHandle::destroyForcibly);
        return !alive.isEmpty();
    }

    /**
     * Polls rather than waits on {@link ProcessHandle#onExit()}: for a process that is not our
     * child the JDK polls with ever longer pauses, and counts a zombie as alive, which an orphan
     * stays for good under a container init that does not reap.
     */
    static boolean awaitExit(ProcessHandle handle, long nanos) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        while (running(handle)) {
            if (System.nanoTime() - deadline >= 0) return false;
            Thread.sleep(POLL_MILLIS);
        }
        return true;
    }

    static boolean running(ProcessHandle handle) {
        if (!handle.isAlive()) return false;
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(handle.pid()), "stat"));
            // "pid (comm) S …": the state follows the command name, which may itself hold ") "
            int end = stat.lastIndexOf(')');
            return end < 0 || end + 2 >= stat.length() || stat.charAt(end + 2) != 'Z';
        } catch (IOException | RuntimeException e) {
            // no procfs (not Linux), or it has just gone
            return handle.isAlive();
        }
    }
}
