package io.gatehouse.supervisor.process.internal;

import io.gatehouse.api.module.ModuleEventListener;
import io.gatehouse.api.module.ModuleRuntime;
import io.gatehouse.api.module.ModuleRuntimeException;
import io.gatehouse.api.module.ModuleSpec;
import io.gatehouse.api.module.ModuleState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs modules of type {@code process} as host processes. Output and errors go, merged, to
 * {@code {logDirectory}/{name}/output.log}. A module gets the environment its spec names plus
 * the gateway variables listed in {@code inheritEnvironment}, nothing else of the gateway's
 * environment, which may hold secrets.
 */
@Component(service = ModuleRuntime.class, configurationPid = ProcessModuleRuntime.PID,
        property = ModuleRuntime.TYPE_PROPERTY + "=" + ProcessSettings.TYPE)
@Designate(ocd = ProcessModuleRuntime.Config.class)
public class ProcessModuleRuntime implements ModuleRuntime {

    static final String PID = "io.gatehouse.supervisor.process";
    /** remove() stops what still runs; the agent normally stopped it already with its own timeout. */
    static final Duration REMOVE_STOP_TIMEOUT = Duration.ofSeconds(5);
    static final Duration DEACTIVATE_STOP_TIMEOUT = Duration.ofSeconds(5);
    /** After SIGKILL a process is gone at once unless the kernel holds it (uninterruptible I/O). */
    static final Duration KILL_WAIT = Duration.ofSeconds(10);
    /** How long an exit waits for output still in the pipe, which a surviving child may hold open. */
    static final long OUTPUT_DRAIN_MILLIS = 1000;

    @ObjectClassDefinition(name = "Gatehouse process supervisor",
            description = "Runs deployment modules of type 'process' as host processes")
    public @interface Config {
        @AttributeDefinition(description = "Directory holding one sub-directory of logs per module")
        String logDirectory() default "data/modules";

        @AttributeDefinition(description = "Size in bytes at which a module's output.log is rotated")
        long maxLogBytes() default 1024 * 1024;

        @AttributeDefinition(description = "Log files kept per module, the current one included")
        int logFiles() default 3;

        @AttributeDefinition(description = "Names of the gateway's environment variables a module also gets;"
                + " no other gateway variable reaches a module")
        String[] inheritEnvironment() default {"PATH", "LANG", "TZ", "HOME"};
    }

    private static final Logger LOG = LoggerFactory.getLogger(ProcessModuleRuntime.class);

    private final Map<String, ManagedModule> modules = new ConcurrentHashMap<>();
    /** Serialises adding, replacing and forgetting modules (taken before a module's own monitor). */
    private final Object registry = new Object();
    private final List<ModuleEventListener> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService exitHandlers = Executors.newCachedThreadPool(daemonThreads());
    private volatile RuntimeConfig config;
    private volatile boolean closed;

    @Activate
    public ProcessModuleRuntime(Config config) {
        this.config = RuntimeConfig.of(config);
        LOG.info("Process supervisor: logs in {}", this.config.logDirectory().toAbsolutePath());
    }

    /** Applies to modules created (log settings) or started (environment) from now on. */
    @Modified
    void modified(Config config) {
        this.config = RuntimeConfig.of(config);
    }

    @Deactivate
    void deactivate() {
        List<ManagedModule> all;
        synchronized (registry) {
            closed = true;
            all = new ArrayList<>(modules.values());
        }
        List<CompletableFuture<Void>> stops = new ArrayList<>();
        for (ManagedModule module : all) {
            if (!module.isRunning()) continue;
            LOG.info("Stopping module {} as the process supervisor stops", module.name());
            stops.add(CompletableFuture.runAsync(() -> {
                try {
                    stop(module, DEACTIVATE_STOP_TIMEOUT);
                } catch (ModuleRuntimeException e) {
                    LOG.warn("Module {}: {}", module.name(), e.getMessage());
                }
            }, exitHandlers));
        }
        try {
            CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new))
                    .get(DEACTIVATE_STOP_TIMEOUT.plus(KILL_WAIT).toMillis() + OUTPUT_DRAIN_MILLIS,
                            TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("Not every module stopped in time: {}", e.toString());
        }
        all.forEach(module -> module.log.close());
        exitHandlers.shutdown();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addListener(ModuleEventListener listener) {
        listeners.add(listener);
    }

    void removeListener(ModuleEventListener listener) {
        listeners.remove(listener);
    }

    @Override
    public String type() {
        return ProcessSettings.TYPE;
    }

    @Override
    public void create(ModuleSpec spec) throws ModuleRuntimeException {
        Objects.requireNonNull(spec, "spec");
        String name = ModuleNames.check(spec.name());
        ProcessSettings settings = ProcessSettings.of(spec);
        RuntimeConfig cfg = config;
        boolean replaced;
        synchronized (registry) {
            ensureOpen();
            ManagedModule existing = modules.get(name);
            replaced = existing != null;
            if (existing != null) {
                synchronized (existing) {
                    if (existing.isRemoving()) {
                        throw new ModuleRuntimeException("module '" + name + "' is being removed; create it again"
                                + " once the removal is done");
                    }
                    if (existing.isRunning()) {
                        throw new ModuleRuntimeException("module '" + name + "' is running; stop it before"
                                + " replacing it");
                    }
                    existing.retire();
                    existing.log.close();
                }
            }
            ModuleLog log = new ModuleLog(cfg.logDirectory().resolve(name), cfg.maxLogBytes(), cfg.logFiles());
            modules.put(name, new ManagedModule(spec, settings, log));
        }
        LOG.info("Module {} {}: {}", name, replaced ? "replaced" : "created", settings.command().get(0));
    }

    @Override
    public void start(String name) throws ModuleRuntimeException {
        ModuleNames.check(name);
        while (true) {
            ManagedModule module = require(name);
            synchronized (module) {
                // replaced between the look-up and the lock: start the replacement
                if (module.isRetired()) continue;
                start(module);
                return;
            }
        }
    }

    /** Called with the module's monitor held. */
    private void start(ManagedModule module) throws ModuleRuntimeException {
        ensureOpen();
        String name = module.name();
        if (module.isRemoving()) {
            throw new ModuleRuntimeException("module '" + name + "' is being removed");
        }
        if (module.isRunning()) return;

        RuntimeConfig cfg = config;
        ProcessBuilder builder = new ProcessBuilder(module.settings.command()).redirectErrorStream(true);
        if (module.settings.workingDir() != null) builder.directory(module.settings.workingDir().toFile());
        Map<String, String> environment = builder.environment();
        environment.clear();
        for (String inherited : cfg.inheritEnvironment()) {
            String value = System.getenv(inherited);
            if (value != null) environment.put(inherited, value);
        }
        environment.putAll(module.spec.environment());

        Instant now = Instant.now();
        Process process;
        try {
            Files.createDirectories(module.log.directory());
            module.log.reopen();
            process = builder.start();
        } catch (IOException | RuntimeException e) {
            String reason = "could not start " + module.settings.command().get(0) + ": " + e.getMessage();
            module.failedToStart(reason, now);
            LOG.warn("Module {}: {}", name, reason);
            throw new ModuleRuntimeException("module '" + name + "' " + reason, e);
        }
        closeQuietly(process);
        Thread pump = new OutputPump(name, process.getInputStream(), module.log).start();
        ProcessRun run = new ProcessRun(process, pump);
        module.started(run, now);
        process.onExit().whenCompleteAsync((p, error) -> exited(module, run), exitHandlers);
        LOG.info("Module {} started as pid {}", name, process.pid());
    }

    @Override
    public void stop(String name, Duration timeout) throws ModuleRuntimeException {
        ModuleNames.check(name);
        ManagedModule module = modules.get(name);
        if (module == null) return;
        stop(module, timeout == null ? Duration.ZERO : timeout);
    }

    private void stop(ManagedModule module, Duration timeout) throws ModuleRuntimeException {
        ProcessRun run;
        synchronized (module) {
            run = module.run();
            if (run == null) return;
            run.stopRequested = true;
            run.stopTimeout = timeout;
        }
        String name = module.name();
        LOG.info("Stopping module {} (pid {}), forced after {} ms", name, run.process.pid(), timeout.toMillis());
        try {
            if (ProcessTree.terminate(run.process.toHandle(), timeout)) {
                run.forced = true;
                LOG.warn("Module {} did not exit within {} ms of SIGTERM and was killed", name, timeout.toMillis());
            }
            run.settled.get(KILL_WAIT.toMillis() + OUTPUT_DRAIN_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            run.process.destroyForcibly();
            throw new ModuleRuntimeException("interrupted while stopping module '" + name + "'; it was killed", e);
        } catch (TimeoutException e) {
            throw new ModuleRuntimeException("module '" + name + "' (pid " + run.process.pid() + ") has not exited "
                    + KILL_WAIT.toSeconds() + " s after SIGKILL", e);
        } catch (ExecutionException e) {
            throw new ModuleRuntimeException("stopping module '" + name + "' failed: " + e.getCause(), e.getCause());
        }
    }

    @Override
    public void remove(String name) throws ModuleRuntimeException {
        ModuleNames.check(name);
        ManagedModule module;
        synchronized (registry) {
            module = modules.get(name);
            if (module == null) {
                // logs left by an earlier run of the gateway
                deleteLogs(config.logDirectory().resolve(name), name);
                return;
            }
            module.markRemoving();
        }
        try {
            stop(module, REMOVE_STOP_TIMEOUT);
        } catch (ModuleRuntimeException e) {
            module.clearRemoving(); // still held, so the agent may try again
            throw e;
        }
        synchronized (registry) {
            synchronized (module) {
                module.retire();
                modules.remove(name, module);
            }
            deleteLogs(module.log, name);
        }
        LOG.info("Module {} removed", name);
    }

    @Override
    public List<ModuleState> modules() {
        List<ModuleState> states = new ArrayList<>();
        for (ManagedModule module : modules.values()) states.add(module.state());
        states.sort(Comparator.comparing(ModuleState::name));
        return states;
    }

    @Override
    public Optional<ModuleState> module(String name) {
        ManagedModule module = name == null ? null : modules.get(name);
        return module == null ? Optional.empty() : Optional.of(module.state());
    }

    @Override
    public List<String> logs(String name, int tail) throws ModuleRuntimeException {
        ModuleNames.check(name);
        if (tail < 0) throw new ModuleRuntimeException("tail must not be negative, was " + tail);
        ManagedModule module = require(name);
        try {
            return module.log.tail(tail);
        } catch (IOException e) {
            throw new ModuleRuntimeException("cannot read the logs of module '" + name + "' in "
                    + module.log.directory() + ": " + e, e);
        }
    }

    /** Records an exit and tells the listeners; runs on an exit-handler thread. */
    private void exited(ManagedModule module, ProcessRun run) {
        try {
            try {
                run.pump.join(OUTPUT_DRAIN_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try {
                module.log.flush();
            } catch (IOException ignored) {
                // the pump reported it
            }
            int code = run.process.exitValue();
            module.exited(run, code, Instant.now());
            LOG.info("Module {} exited with code {}{}", module.name(), code, run.stopRequested ? " (stopped)" : "");
            for (ModuleEventListener listener : listeners) {
                try {
                    listener.moduleExited(ProcessSettings.TYPE, module.name(), code);
                } catch (RuntimeException e) {
                    LOG.warn("A module event listener failed on the exit of {}", module.name(), e);
                }
            }
        } catch (RuntimeException e) {
            LOG.error("Recording the exit of module {} failed", module.name(), e);
        } finally {
            run.settled.complete(null);
        }
    }

    private ManagedModule require(String name) throws ModuleRuntimeException {
        ManagedModule module = modules.get(name);
        if (module == null) {
            throw new ModuleRuntimeException("no process module named '" + name + "'; create it first");
        }
        return module;
    }

    private void ensureOpen() throws ModuleRuntimeException {
        if (closed) throw new ModuleRuntimeException("the process supervisor is stopping");
    }

    private static void deleteLogs(Path directory, String name) throws ModuleRuntimeException {
        deleteLogs(new ModuleLog(directory, 1, 1), name);
    }

    private static void deleteLogs(ModuleLog log, String name) throws ModuleRuntimeException {
        try {
            log.delete();
        } catch (IOException e) {
            throw new ModuleRuntimeException("module '" + name + "' is forgotten but its logs in " + log.directory()
                    + " could not be deleted: " + e, e);
        }
    }

    /** Modules get an empty stdin: nothing is ever written to it. */
    private static void closeQuietly(Process process) {
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // the module just sees its stdin closed a little differently
        }
    }

    private static java.util.concurrent.ThreadFactory daemonThreads() {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, "gatehouse-process-exit-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** The configuration, checked once. */
    record RuntimeConfig(Path logDirectory, long maxLogBytes, int logFiles, List<String> inheritEnvironment) {

        static RuntimeConfig of(Config config) {
            String dir = config.logDirectory();
            if (dir == null || dir.isBlank()) {
                throw new IllegalArgumentException("configuration " + PID + ": 'logDirectory' must not be empty");
            }
            if (config.maxLogBytes() < 1024) {
                throw new IllegalArgumentException("configuration " + PID + ": 'maxLogBytes' must be at least 1024, was "
                        + config.maxLogBytes());
            }
            if (config.logFiles() < 1) {
                throw new IllegalArgumentException("configuration " + PID + ": 'logFiles' must be at least 1, was "
                        + config.logFiles());
            }
            List<String> inherit = new ArrayList<>();
            String[] names = config.inheritEnvironment() == null ? new String[0] : config.inheritEnvironment();
            // a .cfg file gives "PATH,LANG" as one string
            for (String entry : names) {
                if (entry == null) continue;
                for (String name : entry.split(",")) {
                    if (!name.isBlank()) inherit.add(name.trim());
                }
            }
            return new RuntimeConfig(Path.of(dir.trim()), config.maxLogBytes(), config.logFiles(), List.copyOf(inherit));
        }
    }
}
