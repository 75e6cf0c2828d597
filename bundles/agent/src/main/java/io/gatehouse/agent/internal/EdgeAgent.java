package io.gatehouse.agent.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.agent.internal.manifest.InvalidManifestException;
import io.gatehouse.agent.internal.reconcile.AppliedModules;
import io.gatehouse.agent.internal.reconcile.Deployment;
import io.gatehouse.agent.internal.reconcile.DeploymentHistory;
import io.gatehouse.agent.internal.reconcile.DeploymentReader;
import io.gatehouse.agent.internal.reconcile.ModuleEnvironment;
import io.gatehouse.agent.internal.reconcile.PassOutcome;
import io.gatehouse.agent.internal.reconcile.Reconciler;
import io.gatehouse.agent.internal.report.ReportedProperties;
import io.gatehouse.agent.internal.restart.RestartPolicyManager;
import io.gatehouse.agent.internal.restart.RestartSettings;
import io.gatehouse.agent.internal.state.AgentStateStore;
import io.gatehouse.api.agent.EdgeAgentOperations;
import io.gatehouse.api.deployment.EdgeAgentConfigurator;
import io.gatehouse.api.deployment.InvalidConfigurationException;
import io.gatehouse.api.identity.IdentityRegistry;
import io.gatehouse.api.module.ModuleEventListener;
import io.gatehouse.api.module.ModuleRuntime;
import io.gatehouse.api.module.ModuleRuntimeException;
import io.gatehouse.api.module.NoSuchModuleException;
import io.gatehouse.api.tls.EdgeCertificates;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.osgi.framework.Bundle;
import org.osgi.framework.FrameworkUtil;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent: keeps the modules of the deployment in force running on whatever runtimes are
 * present. One thread reconciles, every {@code reconcileIntervalSecs}, at once when a deployment
 * arrives or a module exits, and when a backoff ends. The deployment is stored before it is
 * accepted, so a gateway that restarts without an uplink starts its last deployment again.
 * Modules keep running while this bundle is updated: only the runtimes stop what they run.
 */
@Component(service = {EdgeAgentConfigurator.class, EdgeAgentOperations.class, ModuleEventListener.class},
        configurationPid = {EdgeAgent.PID, "io.gatehouse.hub"})
// bnd refuses @Designate on a component with two PIDs; the OCD's pid attribute designates the agent PID instead.
public final class EdgeAgent implements EdgeAgentConfigurator, EdgeAgentOperations, ModuleEventListener {
    static final String PID = "io.gatehouse.agent";
    private static final Logger LOG = LoggerFactory.getLogger(EdgeAgent.class);

    @ObjectClassDefinition(pid = PID, name = "Gatehouse agent",
            description = "Deploys and supervises modules from the $edgeAgent deployment manifest")
    public @interface Config {
        @AttributeDefinition(description = "Directory of the agent's state: the deployment in force, the last good one, "
                + "the history and restart counts (relative paths are relative to the working directory)")
        String stateDirectory() default "data/agent";

        @AttributeDefinition(description = "Seconds between reconcile passes when nothing wakes the agent earlier")
        double reconcileIntervalSecs() default 5;

        @AttributeDefinition(description = "Restarts after which a failing module is given up on and reported failed")
        int maxRestartCount() default 20;

        @AttributeDefinition(description = "First cool-off before a restart, in seconds; each restart doubles it")
        double coolOffTimeUnitSecs() default 10;

        @AttributeDefinition(description = "Longest cool-off before a restart, in seconds")
        double maxCoolOffSecs() default 300;

        @AttributeDefinition(description = "Minutes a module must run before its restart count is cleared")
        double intensiveCareTimeMins() default 10;

        @AttributeDefinition(description = "Seconds a module is given to stop before it is killed")
        double stopTimeoutSecs() default 30;

        @AttributeDefinition(description = "never, or on-failure: a deployment one of whose modules fails within "
                + "rollbackWindowSecs is replaced by the last good deployment")
        String rollback() default "never";

        @AttributeDefinition(description = "Seconds a new deployment is watched before it counts as good")
        double rollbackWindowSecs() default 120;

        @AttributeDefinition(description = "Deployments kept in the history")
        int historySize() default 20;

        @AttributeDefinition(description = "This edge device's id (PID io.gatehouse.hub)")
        String deviceId() default "edge1";

        @AttributeDefinition(description = "IoT hub host name in module connection strings (PID io.gatehouse.hub)")
        String iotHubHostName() default "gatehouse.local";

        @AttributeDefinition(description = "Host name modules reach the hub at (PID io.gatehouse.hub)")
        String gatewayHostName() default "localhost";
    }

    private final Map<String, ModuleRuntime> runtimes = new ConcurrentHashMap<>();
    private final ObjectMapper json = new ObjectMapper();
    private final ReentrantLock passLock = new ReentrantLock();
    private final Object wakeLock = new Object();
    private final Clock clock = Clock.systemUTC();
    private final Instant started = clock.instant();

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile IdentityRegistry identityRegistry;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile EdgeCertificates certificates;

    private Config config;
    private AgentStateStore store;
    private DeploymentReader reader;
    private Reconciler reconciler;
    private DeploymentHistory history;
    private ReportedProperties reporter;
    private Duration interval;
    private volatile Deployment desired;
    private volatile ObjectNode reported;
    private volatile boolean running;
    private boolean wake;
    private Thread loop;

    @Activate
    void activate(Config config) {
        this.config = config;
        String rollback = config.rollback().strip().toLowerCase(Locale.ROOT);
        if (!rollback.equals("never") && !rollback.equals("on-failure")) {
            throw new IllegalArgumentException("rollback must be never or on-failure, not '" + config.rollback() + "'");
        }
        RestartSettings settings = new RestartSettings(config.maxRestartCount(), seconds(config.coolOffTimeUnitSecs()),
                seconds(config.maxCoolOffSecs()), seconds(config.intensiveCareTimeMins() * 60));
        interval = seconds(Math.max(0.05, config.reconcileIntervalSecs()));
        store = new AgentStateStore(Path.of(config.stateDirectory()), json);
        reader = new DeploymentReader(json);
        reconciler = new Reconciler(new RestartPolicyManager(settings, clock), clock, seconds(config.stopTimeoutSecs()),
                interval, new AppliedModules(store, reader));
        history = new DeploymentHistory(store, json, clock, seconds(config.rollbackWindowSecs()),
                rollback.equals("on-failure"), config.historySize());
        Bundle bundle = FrameworkUtil.getBundle(EdgeAgent.class);
        reporter = new ReportedProperties(json, bundle == null ? "development" : bundle.getVersion().toString());
        desired = restore();
        reported = reporter.build(desired, null, 406, "Agent is starting", started, history.entries(), history.lastRollback());
        running = true;
        loop = new Thread(this::loop, "gatehouse-agent");
        loop.setDaemon(true);
        loop.start();
    }

    /** The stored deployment, or the last good one when it is damaged: the gateway needs no uplink to start. */
    private Deployment restore() {
        for (String stored : new String[] {store.deployment(), store.lastGood()}) {
            if (stored == null) continue;
            try {
                Deployment d = reader.read(stored);
                LOG.info("Starting from the stored deployment {} ({} modules)", d.version(), d.manifest().modules().size());
                return d;
            } catch (InvalidManifestException e) {
                LOG.error("The stored deployment in {} is not valid ({}); trying the last good one", store.directory(),
                        e.getMessage());
            }
        }
        LOG.info("No stored deployment in {}: no modules until one is deployed", store.directory());
        return null;
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        running = false;
        wake();
        // a pass may be stopping a module, which takes up to stopTimeoutSecs
        loop.join((long) (config.stopTimeoutSecs() * 1000) + 5_000);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindRuntime(ModuleRuntime runtime, Map<String, Object> properties) {
        runtimes.put(type(runtime, properties), runtime);
        wake();
    }

    void unbindRuntime(ModuleRuntime runtime, Map<String, Object> properties) {
        runtimes.remove(type(runtime, properties), runtime);
        wake();
    }

    private static String type(ModuleRuntime runtime, Map<String, Object> properties) {
        Object t = properties.get(ModuleRuntime.TYPE_PROPERTY);
        return t != null ? t.toString() : runtime.type();
    }

    @Override
    public void moduleExited(String type, String name, int exitCode) {
        wake();
    }

    @Override
    public void validate(String desiredPropertiesJson) throws InvalidConfigurationException {
        reader.read(desiredPropertiesJson);
    }

    @Override
    public void apply(String desiredPropertiesJson) throws InvalidConfigurationException {
        Deployment next = reader.read(desiredPropertiesJson);
        passLock.lock();
        try {
            Deployment current = desired;
            if (current != null && current.json().equals(next.json())) {
                LOG.debug("$edgeAgent deployment {} unchanged", next.version());
            } else {
                try {
                    store.saveDeployment(next.json());
                } catch (IOException e) {
                    throw new InvalidConfigurationException(500, "could not store the deployment in "
                            + store.directory() + ": " + e);
                }
                desired = next;
                history.applied(next, "deploy");
                LOG.info("Accepted $edgeAgent deployment {}: {} modules", next.version(), next.manifest().modules().size());
            }
        } finally {
            passLock.unlock();
        }
        wake();
    }

    @Override
    public String current() {
        Deployment d = desired;
        return d == null ? null : d.json();
    }

    @Override
    public String reportedProperties() {
        return reported.toString();
    }

    @Override
    public List<String> logs(String module, int tail) throws ModuleRuntimeException {
        return runtimeOf(module).logs(module, tail);
    }

    @Override
    public void restart(String module) throws ModuleRuntimeException {
        ModuleRuntime runtime = runtimeOf(module);
        passLock.lock();
        try {
            reconciler.restart(runtime, module);
        } finally {
            passLock.unlock();
        }
        wake();
    }

    private ModuleRuntime runtimeOf(String module) throws NoSuchModuleException {
        for (ModuleRuntime r : runtimes.values()) {
            try {
                if (r.module(module).isPresent()) return r;
            } catch (RuntimeException e) {
                // a runtime that does not answer holds nothing we can reach
            }
        }
        throw new NoSuchModuleException(module);
    }

    private void wake() {
        synchronized (wakeLock) {
            wake = true;
            wakeLock.notifyAll();
        }
    }

    private void loop() {
        while (running) {
            Duration next = interval;
            try {
                next = pass();
            } catch (RuntimeException e) {
                LOG.error("Agent reconcile concluded with errors", e);
            }
            synchronized (wakeLock) {
                try {
                    long millis = Math.max(1, next.toMillis());
                    long deadline = System.currentTimeMillis() + millis;
                    while (running && !wake && System.currentTimeMillis() < deadline) {
                        wakeLock.wait(Math.max(1, deadline - System.currentTimeMillis()));
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                wake = false;
            }
        }
    }

    private Duration pass() {
        passLock.lock();
        try {
            ModuleEnvironment env = new ModuleEnvironment(config.deviceId(), config.iotHubHostName(),
                    config.gatewayHostName(), caFile());
            RegistryModuleIdentities identities = new RegistryModuleIdentities(() -> identityRegistry, config.deviceId());
            PassOutcome outcome = reconciler.pass(desired, Map.copyOf(runtimes), identities, env);
            DeploymentHistory.Verdict verdict = history.judge(outcome.failures());
            Duration next = outcome.nextPass();
            int code = outcome.code();
            String description = outcome.description();
            if (verdict != null) {
                try {
                    Deployment good = reader.read(verdict.rollBackTo());
                    store.saveDeployment(good.json());
                    desired = good;
                    history.rolledBackTo(good, verdict.rollback());
                    code = 500;
                    description = "Deployment " + verdict.rollback().path("fromVersion").asText() + " rolled back to "
                            + good.version() + ": " + verdict.rollback().path("reason").asText();
                    next = Duration.ZERO; // reconcile to the good deployment at once
                } catch (InvalidManifestException | IOException e) {
                    LOG.error("Could not roll back to the last good deployment: {}", e.getMessage());
                }
            }
            reported = reporter.build(desired, outcome, code, description, started, history.entries(),
                    history.lastRollback());
            Duration probation = history.probationLeft();
            if (probation != null && probation.compareTo(next) < 0) next = probation.plusMillis(1);
            return next;
        } finally {
            passLock.unlock();
        }
    }

    private Path caFile() {
        EdgeCertificates c = certificates;
        return c == null ? null : c.caCertificateFile();
    }

    private static Duration seconds(double seconds) {
        if (seconds < 0 || Double.isNaN(seconds)) throw new IllegalArgumentException("a duration must not be negative: " + seconds);
        return Duration.ofNanos((long) (seconds * 1e9));
    }
}
