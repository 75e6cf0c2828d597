package io.gatehouse.supervisor.bundle.internal;

import io.gatehouse.api.module.ModuleEventListener;
import io.gatehouse.api.module.ModuleRuntime;
import io.gatehouse.api.module.ModuleRuntimeException;
import io.gatehouse.api.module.ModuleSpec;
import io.gatehouse.api.module.ModuleState;
import io.gatehouse.api.module.NoSuchModuleException;
import io.gatehouse.api.module.RuntimeStatus;
import java.io.IOException;
import java.io.InputStream;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkListener;
import org.osgi.framework.SynchronousBundleListener;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.framework.wiring.FrameworkWiring;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs modules of type {@code bundle}: OSGi bundles in the framework this runtime lives in. Each
 * module is exactly one bundle, installed from bytes the runtime read itself under the location
 * {@code gatehouse-module:<name>}; that prefix is how the runtime knows its own bundles, also
 * after a restart, and it never touches any other bundle.
 *
 * <p>Plain class so that it runs against any {@link BundleContext}; the DS component delegates.
 */
final class BundleSupervisor implements ModuleRuntime {

    static final String LOCATION_PREFIX = "gatehouse-module:";
    /** How long create and remove wait for the framework to refresh the wiring. */
    static final Duration REFRESH_TIMEOUT = Duration.ofSeconds(30);

    /** Not a framework event type: a STOPPED event that ended a failed activation. */
    private static final int START_FAILED = -1;
    private static final Logger LOG = LoggerFactory.getLogger(BundleSupervisor.class);

    private final BundleContext context;
    private final Map<String, ModuleEntry> modules = new ConcurrentHashMap<>();
    /** One monitor per module name, held for every change to that module; never removed. */
    private final Map<String, Object> locks = new ConcurrentHashMap<>();
    private final List<ModuleEventListener> listeners = new CopyOnWriteArrayList<>();
    /** Handles bundle and framework events and tells the listeners, in the order things happened. */
    private final ExecutorService events = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "gatehouse-bundle-modules");
        thread.setDaemon(true);
        return thread;
    });
    private final SynchronousBundleListener bundleListener = this::bundleChanged;
    private final FrameworkListener frameworkListener = this::frameworkEvent;
    private volatile SupervisorSettings settings;
    private volatile BundleSources sources;
    private volatile boolean closed;

    BundleSupervisor(BundleContext context, SupervisorSettings settings) {
        this.context = Objects.requireNonNull(context, "context");
        configure(settings);
        // listen first, then look: a change in between is seen by one or the other
        context.addBundleListener(bundleListener);
        context.addFrameworkListener(frameworkListener);
        adoptInstalledModules();
    }

    /** Applies to what is fetched from now on. */
    void configure(SupervisorSettings changed) {
        settings = changed;
        sources = new BundleSources(changed);
    }

    /** Stops watching; the module bundles run on, and the next instance adopts them. */
    void close() {
        closed = true;
        try {
            context.removeBundleListener(bundleListener);
            context.removeFrameworkListener(frameworkListener);
        } catch (IllegalStateException e) {
            // the framework or our bundle is already gone, and the listeners with it
        }
        events.shutdown();
        try {
            events.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    void addListener(ModuleEventListener listener) {
        listeners.add(listener);
    }

    void removeListener(ModuleEventListener listener) {
        listeners.remove(listener);
    }

    @Override
    public String type() {
        return BundleSettings.TYPE;
    }

    @Override
    public void create(ModuleSpec spec) throws ModuleRuntimeException {
        Objects.requireNonNull(spec, "spec");
        String name = ModuleNames.check(spec.name());
        BundleSettings bundleSettings = BundleSettings.of(spec);
        ensureOpen();
        String module = "module '" + name + "'";
        BundleSource source;
        try {
            source = sources.fetch(bundleSettings.location());
        } catch (ModuleRuntimeException e) {
            throw new ModuleRuntimeException(module + ": " + e.getMessage(), e);
        }
        try (source) {
            BundleIdentity identity;
            try {
                identity = BundleIdentity.of(source);
            } catch (ModuleRuntimeException e) {
                throw new ModuleRuntimeException(module + ": " + e.getMessage(), e);
            }
            synchronized (lock(name)) {
                ensureOpen();
                Bundle existing = bundleOf(name);
                refuseDuplicate(module, identity, existing);
                if (existing == null) {
                    install(name, spec, source, identity);
                } else {
                    update(name, spec, source, identity, existing);
                }
            }
        }
    }

    private void install(String name, ModuleSpec spec, BundleSource source, BundleIdentity identity)
            throws ModuleRuntimeException {
        Bundle bundle;
        try (InputStream in = Files.newInputStream(source.file())) {
            bundle = context.installBundle(LOCATION_PREFIX + name, in);
        } catch (BundleException | IOException | RuntimeException e) {
            throw new ModuleRuntimeException("module '" + name + "': the framework refused " + identity + " from '"
                    + source.shown() + "': " + reason(e), e);
        }
        ModuleEntry entry = new ModuleEntry(name, bundle.getBundleId(), settings.moduleRecords());
        entry.created(spec.version(), "installed as bundle id " + bundle.getBundleId() + ", not started");
        entry.log.add("installed " + identity + " from " + source.shown() + " as bundle id " + bundle.getBundleId()
                + " (module version " + spec.version() + ")");
        modules.put(name, entry);
        LOG.info("Module {}: installed {} from {} as bundle id {}", name, identity, source.shown(),
                bundle.getBundleId());
    }

    private void update(String name, ModuleSpec spec, BundleSource source, BundleIdentity identity, Bundle bundle)
            throws ModuleRuntimeException {
        ModuleEntry entry = modules.computeIfAbsent(name,
                n -> new ModuleEntry(n, bundle.getBundleId(), settings.moduleRecords()));
        String before = bundle.getSymbolicName() + " " + bundle.getVersion();
        BundleRevision oldRevision = bundle.adapt(BundleRevision.class);
        boolean wasRunning = ModuleEntry.isRunning(bundle.getState());
        String restartFailure = null;
        entry.busy = true;
        try {
            try (InputStream in = Files.newInputStream(source.file())) {
                bundle.update(in);
            } catch (BundleException | IOException | RuntimeException e) {
                String reason = reason(e);
                if (bundle.adapt(BundleRevision.class) == oldRevision) {
                    entry.log.add("update to " + identity + " from " + source.shown() + " refused: " + reason);
                    throw new ModuleRuntimeException("module '" + name + "': the framework refused the update to "
                            + identity + " from '" + source.shown() + "': " + reason + "; " + before + " is kept", e);
                }
                // updated, but the framework could not start the new revision again
                restartFailure = reason;
            }
            // the old revision stays wired until refreshed; afterwards only the new classes are used
            refresh(bundle);
        } finally {
            entry.busy = false;
        }
        entry.created(spec.version(), "updated in place from " + before + " to " + identity + ", not started");
        entry.log.add("updated in place from " + before + " to " + identity + " from " + source.shown()
                + " (module version " + spec.version() + ")");
        LOG.info("Module {}: updated bundle id {} from {} to {}", name, bundle.getBundleId(), before, identity);
        if (!wasRunning) return;
        // the framework restarts a bundle that was active when it was updated
        Instant now = Instant.now();
        if (ModuleEntry.isRunning(bundle.getState())) {
            entry.running(now);
            entry.log.add("restarted with the new version");
        } else {
            String reason = "updated to " + identity + " but it did not start again: " + (restartFailure != null
                    ? restartFailure
                    : "bundle state " + stateName(bundle.getState()) + "; the framework log has the reason");
            entry.failed(now, reason);
            entry.log.add("failed: " + reason);
            LOG.warn("Module {}: {}", name, reason);
        }
    }

    /** A bundle's symbolic name and version are unique in a framework: say whose they are. */
    private void refuseDuplicate(String module, BundleIdentity identity, Bundle own) throws ModuleRuntimeException {
        for (Bundle other : context.getBundles()) {
            if (own != null && other.getBundleId() == own.getBundleId()) continue;
            if (!identity.symbolicName().equals(other.getSymbolicName())
                    || !identity.version().equals(other.getVersion())) {
                continue;
            }
            String owner = nameOf(other.getLocation());
            throw new ModuleRuntimeException(module + ": " + identity + " is already installed as bundle id "
                    + other.getBundleId() + (owner != null ? " by module '" + owner + "'"
                            : ", which this runtime did not install and will not replace"));
        }
    }

    @Override
    public void start(String name) throws ModuleRuntimeException {
        ModuleNames.check(name);
        synchronized (lock(name)) {
            ensureOpen();
            ModuleEntry entry = require(name);
            Bundle bundle = requireBundle(name);
            if (ModuleEntry.isRunning(bundle.getState())) return;
            Instant now = Instant.now();
            entry.busy = true;
            try {
                // a bundle that declares lazy activation is activated on its first use
                bundle.start(Bundle.START_ACTIVATION_POLICY);
            } catch (BundleException | RuntimeException e) {
                String reason = reason(e);
                entry.failed(now, "could not be started: " + reason);
                entry.log.add("failed to start: " + reason);
                LOG.warn("Module {} could not be started: {}", name, reason);
                throw new ModuleRuntimeException("module '" + name + "' could not be started: " + reason, e);
            } finally {
                entry.busy = false;
            }
            entry.running(now);
            entry.log.add("started " + bundle.getSymbolicName() + " " + bundle.getVersion()
                    + (bundle.getState() == Bundle.STARTING ? " (lazy activation: active on first use)" : ""));
            LOG.info("Module {} started", name);
        }
    }

    /**
     * Stops the bundle. {@code timeout} cannot be applied: a bundle's activator cannot be forced to
     * return, and the framework itself waits for it.
     */
    @Override
    public void stop(String name, Duration timeout) throws ModuleRuntimeException {
        ModuleNames.check(name);
        synchronized (lock(name)) {
            ModuleEntry entry = modules.get(name);
            Bundle bundle = bundleOf(name);
            if (entry == null || bundle == null || !ModuleEntry.isRunning(bundle.getState())) return;
            String description = "stopped on request";
            entry.busy = true;
            try {
                // not transient: the framework does not start it again at its next start
                bundle.stop();
            } catch (BundleException e) {
                description = "stopped on request; its activator's stop failed: " + reason(e);
            } catch (IllegalStateException e) {
                return; // uninstalled meanwhile: the uninstall event tells the rest
            } finally {
                entry.busy = false;
            }
            if (ModuleEntry.isRunning(bundle.getState())) {
                throw new ModuleRuntimeException("module '" + name + "' did not stop: " + description);
            }
            entry.stopped(Instant.now(), description);
            entry.log.add(description);
            LOG.info("Module {} {}", name, description);
        }
        tell(name, 0);
    }

    @Override
    public void remove(String name) throws ModuleRuntimeException {
        ModuleNames.check(name);
        boolean wasRunning = false;
        synchronized (lock(name)) {
            ModuleEntry entry = modules.get(name);
            Bundle bundle = bundleOf(name);
            if (bundle != null) {
                wasRunning = ModuleEntry.isRunning(bundle.getState());
                if (entry != null) entry.busy = true;
                try {
                    bundle.uninstall();
                    refresh(bundle);
                } catch (BundleException e) {
                    throw new ModuleRuntimeException("module '" + name + "' could not be uninstalled and is kept: "
                            + reason(e), e);
                } catch (IllegalStateException e) {
                    // uninstalled meanwhile: nothing left to uninstall
                } finally {
                    if (entry != null) entry.busy = false;
                }
            }
            modules.remove(name);
            try {
                if (entry != null) {
                    entry.delete();
                } else {
                    // left by an earlier run
                    ModuleRecord.delete(ModuleEntry.recordFile(settings.moduleRecords(), name));
                    Files.deleteIfExists(ModuleEntry.logFile(settings.moduleRecords(), name));
                }
            } catch (IOException e) {
                throw new ModuleRuntimeException("module '" + name + "' is removed but its record in "
                        + settings.moduleRecords() + " could not be deleted: " + e, e);
            }
            if (bundle != null) LOG.info("Module {} removed: bundle id {} uninstalled", name, bundle.getBundleId());
        }
        if (wasRunning) tell(name, 0);
    }

    @Override
    public List<ModuleState> modules() {
        List<ModuleState> states = new ArrayList<>();
        for (String name : modules.keySet()) module(name).ifPresent(states::add);
        states.sort(Comparator.comparing(ModuleState::name));
        return states;
    }

    @Override
    public Optional<ModuleState> module(String name) {
        ModuleEntry entry = name == null ? null : modules.get(name);
        if (entry == null) return Optional.empty();
        Bundle bundle = bundleOf(name);
        // uninstalled from outside, and the event not handled yet
        if (bundle == null || bundle.getBundleId() != entry.bundleId) return Optional.empty();
        return Optional.of(entry.state(bundle));
    }

    /** The runtime's record of the module's lifecycle, oldest first: a bundle has no output of its own. */
    @Override
    public List<String> logs(String name, int tail) throws ModuleRuntimeException {
        ModuleNames.check(name);
        if (tail < 0) throw new ModuleRuntimeException("tail must not be negative, was " + tail);
        return require(name).log.tail(tail);
    }

    /** Takes over the bundles an earlier instance installed (before a restart or an update of this runtime). */
    private void adoptInstalledModules() {
        Bundle system = context.getBundle(Constants.SYSTEM_BUNDLE_ID);
        for (Bundle bundle : context.getBundles()) {
            String name = nameOf(bundle.getLocation());
            if (name == null) continue;
            if (!ModuleNames.isValid(name)) {
                LOG.warn("Ignoring bundle id {}: its location {} does not name a valid module", bundle.getBundleId(),
                        bundle.getLocation());
                continue;
            }
            synchronized (lock(name)) {
                if (modules.containsKey(name)) continue;
                ModuleEntry entry = new ModuleEntry(name, bundle.getBundleId(), settings.moduleRecords());
                entry.restore(ModuleRecord.read(ModuleEntry.recordFile(settings.moduleRecords(), name), name,
                        BundleSettings.TYPE)
                        .orElseGet(() -> new ModuleState(name, BundleSettings.TYPE, bundle.getVersion().toString(),
                                RuntimeStatus.UNKNOWN, null, null, null, "found installed as bundle id "
                                        + bundle.getBundleId() + "; no record of it was kept")));
                reconcile(entry, bundle, system);
                modules.put(name, entry);
                LOG.info("Module {}: found bundle id {} ({}), {}", name, bundle.getBundleId(),
                        stateName(bundle.getState()), entry.status());
            }
        }
    }

    /** What the framework did while no runtime was watching. */
    private static void reconcile(ModuleEntry entry, Bundle bundle, Bundle system) {
        int live = bundle.getState();
        RuntimeStatus recorded = entry.status();
        Instant now = Instant.now();
        if (ModuleEntry.isRunning(live)) {
            if (recorded != RuntimeStatus.RUNNING) entry.running(now);
            entry.log.add("runtime started: bundle id " + bundle.getBundleId() + " is " + stateName(live));
            return;
        }
        if (recorded == RuntimeStatus.FAILED) {
            // its start failed before, and the record says why
            entry.log.add("runtime started: bundle id " + bundle.getBundleId() + " is " + stateName(live));
            return;
        }
        boolean meantToRun = isPersistentlyStarted(bundle);
        if (meantToRun && system.getState() != Bundle.ACTIVE) {
            // the framework is still starting bundles; its event tells how this one fares
            entry.waiting("waiting for the framework to start it");
            entry.log.add("runtime started: bundle id " + bundle.getBundleId() + " waits for the framework to start it");
        } else if (meantToRun) {
            String reason = "the framework did not start it (bundle state " + stateName(live)
                    + "); the framework log has the reason";
            entry.failed(now, reason);
            entry.log.add("runtime started: failed: " + reason);
        } else if (recorded == RuntimeStatus.RUNNING) {
            entry.stopped(now, "stopped while no runtime was watching");
            entry.log.add("runtime started: bundle id " + bundle.getBundleId() + " was stopped meanwhile");
        } else {
            entry.log.add("runtime started: bundle id " + bundle.getBundleId() + " is " + stateName(live));
        }
    }

    private static boolean isPersistentlyStarted(Bundle bundle) {
        BundleStartLevel level = bundle.adapt(BundleStartLevel.class);
        return level != null && level.isPersistentlyStarted();
    }

    /** Called on the thread that changed the bundle, so {@link ModuleEntry#busy} tells whose change it is. */
    private void bundleChanged(BundleEvent event) {
        int type = event.getType();
        if (closed || type != BundleEvent.STARTING && type != BundleEvent.STARTED && type != BundleEvent.STOPPED
                && type != BundleEvent.UNINSTALLED) {
            return;
        }
        Bundle bundle = event.getBundle();
        String name = nameOf(bundle.getLocation());
        if (name == null) return;
        ModuleEntry entry = modules.get(name);
        if (entry == null || entry.busy || frameworkStopping()) return;
        if (type == BundleEvent.STARTING) {
            entry.activating = true;
            return;
        }
        boolean startFailed = type == BundleEvent.STOPPED && entry.activating;
        entry.activating = false;
        long bundleId = bundle.getBundleId();
        submit(() -> changedOutside(name, bundleId, startFailed ? START_FAILED : type));
    }

    private void changedOutside(String name, long bundleId, int type) {
        boolean exited = false;
        synchronized (lock(name)) {
            ModuleEntry entry = modules.get(name);
            if (entry == null || entry.bundleId != bundleId) return;
            Instant now = Instant.now();
            switch (type) {
                case START_FAILED -> {
                    // the framework's error event, handled next, gives the reason
                    String reason = "the framework could not start it";
                    entry.failed(now, reason);
                    entry.log.add("failed: " + reason);
                }
                case BundleEvent.STARTED -> {
                    if (entry.status() == RuntimeStatus.RUNNING) {
                        // a lazily activated bundle reached on its first use: the module already ran
                        entry.log.add("activated on its first use");
                    } else {
                        entry.running(now);
                        entry.log.add("started outside the runtime");
                    }
                }
                case BundleEvent.STOPPED -> {
                    String description = "stopped outside the runtime (from a console or by another bundle)";
                    entry.stopped(now, description);
                    entry.log.add(description);
                    LOG.warn("Module {} was {}", name, description);
                    exited = true;
                }
                case BundleEvent.UNINSTALLED -> {
                    modules.remove(name, entry);
                    LOG.warn("Module {}: its bundle id {} was uninstalled outside the runtime; the module is gone",
                            name, bundleId);
                    try {
                        entry.delete();
                    } catch (IOException e) {
                        LOG.warn("Module {}: cannot delete its record: {}", name, e.toString());
                    }
                }
                default -> {
                    // not an event this runtime follows
                }
            }
        }
        if (exited) notifyListeners(name, 0);
    }

    /** Start failures the framework reports itself: at its own start, or when it restarts a refreshed bundle. */
    private void frameworkEvent(FrameworkEvent event) {
        if (closed) return;
        if (event.getType() == FrameworkEvent.STARTED) {
            submit(this::frameworkStarted);
            return;
        }
        if (event.getType() != FrameworkEvent.ERROR || event.getBundle() == null) return;
        String name = nameOf(event.getBundle().getLocation());
        if (name == null) return;
        long bundleId = event.getBundle().getBundleId();
        Throwable error = event.getThrowable();
        submit(() -> failedInFramework(name, bundleId, error));
    }

    /** The framework has started every bundle it was going to: a module still waiting was not started. */
    private void frameworkStarted() {
        for (String name : modules.keySet()) {
            synchronized (lock(name)) {
                ModuleEntry entry = modules.get(name);
                Bundle bundle = bundleOf(name);
                if (entry == null || bundle == null || !entry.isWaitingForFramework()) continue;
                if (ModuleEntry.isRunning(bundle.getState())) {
                    entry.running(Instant.now());
                    continue;
                }
                String reason = "the framework did not start it (bundle state " + stateName(bundle.getState())
                        + "); the framework log has the reason";
                entry.failed(Instant.now(), reason);
                entry.log.add("failed: " + reason);
                LOG.warn("Module {}: {}", name, reason);
            }
        }
    }

    private void failedInFramework(String name, long bundleId, Throwable error) {
        synchronized (lock(name)) {
            ModuleEntry entry = modules.get(name);
            Bundle bundle = bundleOf(name);
            if (entry == null || bundle == null || entry.bundleId != bundleId) return;
            // a stop's error leaves a stopped module; anything else that is not active failed to start
            if (ModuleEntry.isRunning(bundle.getState()) || entry.status() == RuntimeStatus.STOPPED) return;
            String reason = "the framework could not start it: " + (error == null ? "no reason given" : reason(error));
            entry.failed(Instant.now(), reason);
            entry.log.add("failed: " + reason);
            LOG.warn("Module {}: {}", name, reason);
        }
    }

    /** Waits until the framework has rewired {@code bundle} and what depends on it. */
    private void refresh(Bundle bundle) {
        FrameworkWiring wiring = context.getBundle(Constants.SYSTEM_BUNDLE_ID).adapt(FrameworkWiring.class);
        CountDownLatch refreshed = new CountDownLatch(1);
        wiring.refreshBundles(List.of(bundle), event -> {
            if (event.getType() == FrameworkEvent.PACKAGES_REFRESHED) refreshed.countDown();
        });
        try {
            if (!refreshed.await(REFRESH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("The framework has not refreshed bundle id {} within {} s; going on", bundle.getBundleId(),
                        REFRESH_TIMEOUT.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void tell(String name, int exitCode) {
        submit(() -> notifyListeners(name, exitCode));
    }

    private void notifyListeners(String name, int exitCode) {
        for (ModuleEventListener listener : listeners) {
            try {
                listener.moduleExited(BundleSettings.TYPE, name, exitCode);
            } catch (RuntimeException e) {
                LOG.warn("A module event listener failed on the exit of {}", name, e);
            }
        }
    }

    private void submit(Runnable task) {
        try {
            events.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.error("Handling a bundle module event failed", e);
                }
            });
        } catch (RejectedExecutionException e) {
            // closing: the next instance reads the bundles' state afresh
        }
    }

    private boolean frameworkStopping() {
        Bundle system = context.getBundle(Constants.SYSTEM_BUNDLE_ID);
        // every bundle stops with the framework: not an exit the agent should act on
        return system == null || system.getState() == Bundle.STOPPING;
    }

    private Object lock(String name) {
        return locks.computeIfAbsent(name, n -> new Object());
    }

    private Bundle bundleOf(String name) {
        try {
            return context.getBundle(LOCATION_PREFIX + name);
        } catch (IllegalStateException e) {
            return null; // our context is no longer valid
        }
    }

    private ModuleEntry require(String name) throws ModuleRuntimeException {
        ModuleEntry entry = modules.get(name);
        if (entry == null) throw new NoSuchModuleException(name);
        return entry;
    }

    private Bundle requireBundle(String name) throws ModuleRuntimeException {
        Bundle bundle = bundleOf(name);
        if (bundle == null) {
            throw new ModuleRuntimeException("module '" + name + "': its bundle was uninstalled outside the runtime;"
                    + " create the module again");
        }
        return bundle;
    }

    private void ensureOpen() throws ModuleRuntimeException {
        if (closed) throw new ModuleRuntimeException("the bundle supervisor is stopping");
    }

    /** The module a bundle location belongs to, or null when this runtime did not install that bundle. */
    static String nameOf(String location) {
        return location != null && location.startsWith(LOCATION_PREFIX)
                ? location.substring(LOCATION_PREFIX.length())
                : null;
    }

    /** One line a person can act on, the framework's own message first. */
    static String reason(Throwable error) {
        StringBuilder text = new StringBuilder();
        int depth = 0;
        for (Throwable t = error; t != null && depth < 5; t = t.getCause(), depth++) {
            String message = t.getMessage();
            if (message != null && text.indexOf(message) >= 0) continue;
            if (text.length() > 0) text.append("; caused by ");
            boolean plain = t == error && (t instanceof BundleException || t instanceof IOException) && message != null;
            text.append(plain ? message : t.getClass().getSimpleName() + (message == null ? "" : ": " + message));
        }
        return text.toString().replaceAll("\\s+", " ").trim();
    }

    static String stateName(int state) {
        return switch (state) {
            case Bundle.INSTALLED -> "INSTALLED";
            case Bundle.RESOLVED -> "RESOLVED";
            case Bundle.STARTING -> "STARTING";
            case Bundle.STOPPING -> "STOPPING";
            case Bundle.ACTIVE -> "ACTIVE";
            case Bundle.UNINSTALLED -> "UNINSTALLED";
            default -> "state " + state;
        };
    }
}
