package io.gatehouse.upstream.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.api.agent.EdgeAgentOperations;
import io.gatehouse.api.deployment.EdgeAgentConfigurator;
import io.gatehouse.api.deployment.EdgeHubConfigurator;
import io.gatehouse.api.identity.Identity;
import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.identity.IdentityRegistry;
import io.gatehouse.api.identity.SasTokenSigner;
import io.gatehouse.api.method.MethodInvoker;
import io.gatehouse.api.store.MessageStore;
import io.gatehouse.api.twin.TwinStore;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One configuration's upstream: the gateway's own channel is the link (connected at start,
 * reconnected after a loss, 1 s doubling up to reconnectMaxDelay, forever), and its state drives
 * the {@code $upstream} deliverer; the {@code $edgeAgent}/{@code $edgeHub} twin channels bring
 * deployments and take the agent's state; the scope is learned at each connect and every
 * scopeRefresh; the twins of this gateway's own modules and of the leaf devices directly below it
 * are mirrored and their direct methods relayed; the leaves of the scope receive their
 * cloud-to-device messages. Link, twins and scope run on one scheduler thread, delivery on its
 * own, method calls on the relay's.
 */
final class UpstreamRuntime {
    private static final Logger LOG = LoggerFactory.getLogger(UpstreamRuntime.class);
    private static final Duration FIRST_RECONNECT_DELAY = Duration.ofSeconds(1);
    /** The least time between two scope requests caused by authentication misses. */
    static final Duration MISS_REFRESH_GAP = Duration.ofSeconds(10);

    /**
     * The local services the deployment, the reports, the mirrored twins and the method calls go to;
     * each may be absent at any time (the invokers' list may be empty).
     */
    record LocalServices(Supplier<EdgeAgentConfigurator> agentConfigurator,
            Supplier<EdgeHubConfigurator> hubConfigurator, Supplier<EdgeAgentOperations> agentOperations,
            Supplier<TwinStore> twinStore, Supplier<List<MethodInvoker>> methodInvokers) {
    }

    private final UpstreamSettings settings;
    private final IdentityId self;
    private final IdentityId agentTwin;
    private final IdentityId hubTwin;
    private final ParentTransport transport;
    private final ConnectionPool pool;
    private final ScopeSync scope;
    private final AgentStateReporter reporter;
    private final DeploymentSync deployments;
    private final TwinMirror modules;
    private final TwinMirror leaves;
    private final IdentityRegistry registry;
    /**
     * The leaf devices directly below this gateway: their channels take twin and methods (read on
     * any thread, when a channel is made; replaced on the scheduler thread).
     */
    private volatile Set<IdentityId> directLeaves;
    private final CloudToDeviceReceivers cloudToDevice;
    private final MethodRelay methods;
    private final UpstreamDeliverer deliverer;
    private final ScheduledExecutorService scheduler;
    private volatile boolean linkUp;
    private volatile boolean stopped;
    // scheduler thread only
    private Duration reconnectDelay = FIRST_RECONNECT_DELAY;
    private String lastLinkFailure;
    private String lastTwinFailure;
    private boolean syncRequested;
    private long lastScopeRequestNanos = System.nanoTime() - MISS_REFRESH_GAP.toNanos();
    private boolean missRefreshScheduled;

    UpstreamRuntime(UpstreamSettings settings, MessageStore store, IdentityRegistry registry, SasTokenSigner signer,
            LocalServices local) throws UpstreamException {
        this.settings = settings;
        this.self = IdentityId.device(settings.deviceId());
        this.registry = registry;
        this.agentTwin = IdentityId.module(settings.deviceId(), "$edgeAgent");
        this.hubTwin = IdentityId.module(settings.deviceId(), "$edgeHub");
        UpstreamCredentials credentials = new UpstreamCredentials(settings.hostName(), settings.deviceId(),
                settings.deviceKey(), settings.tokenValidity(), signer, registry, Clock.systemUTC());
        this.transport = settings.protocol().amqp() ? new AmqpTransport(settings, credentials, store)
                : new MqttTransport(settings, credentials, store);
        ParentChannel.Listener listener = new ParentChannel.Listener() {
            @Override
            public void desiredPatch(ParentChannel channel, Long version, byte[] patch) {
                onDesiredPatch(channel.identity(), version, patch);
            }

            @Override
            public void methodCall(ParentChannel channel, MethodCall call) {
                IdentityId id = channel.identity();
                if (takesMethods(id)) methods.requested(id, call);
            }

            @Override
            public void lost(ParentChannel channel, String cause) {
                onLost(channel, cause);
            }
        };
        this.pool = new ConnectionPool(id -> transport.channel(id, featuresOf(id), listener));
        ObjectMapper json = new ObjectMapper();
        TwinClient twins = new TwinClient(json);
        this.scope = new ScopeSync(registry, json);
        this.reporter = new AgentStateReporter(twins, json, local.agentOperations());
        this.deployments = new DeploymentSync(twins, new AppliedTwins(settings.stateDirectory(), json), reporter,
                local.agentConfigurator(), local.hubConfigurator(), json);
        String deviceId = settings.deviceId();
        PushedReports pushed = new PushedReports(settings.stateDirectory(), json);
        this.modules = new TwinMirror("module of this gateway", () -> MirrorTargets.ownModules(registry.list(), deviceId),
                pool, twins, pushed, local.twinStore(), json);
        // the scope learned before a restart is in the registry: a leaf's first channel has its features at once
        this.directLeaves = Set.copyOf(MirrorTargets.directLeaves(registry.list(), deviceId));
        this.leaves = new TwinMirror("leaf device directly below this gateway", () -> directLeaves, pool, twins,
                pushed, local.twinStore(), json);
        this.cloudToDevice = new CloudToDeviceReceivers(settings.deviceId(), pool, transport.relaysCloudToDevice());
        this.methods = new MethodRelay(local.methodInvokers(), settings.methodResponseTimeout(),
                settings.methodConnectTimeout(), json);
        this.deliverer = new UpstreamDeliverer(store, pool, self, transport.window(), transport::invalidReason,
                settings.operationTimeout(), () -> linkUp);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gatehouse-upstream-link");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Fixed per channel, whoever opens it first (the deliverer opens modules' and leaves' too): the
     * agent, the mirrored modules and the leaves directly below take method calls, the hub only its
     * twin. A leaf that joins or leaves {@link #directLeaves} gets a new channel ({@link #followDirectLeaves}).
     */
    private Set<ParentChannel.Feature> featuresOf(IdentityId id) {
        if (id.equals(self)) return EnumSet.of(ParentChannel.Feature.SCOPE);
        if (id.equals(hubTwin)) return EnumSet.of(ParentChannel.Feature.TWIN);
        if (takesMethods(id)) return EnumSet.of(ParentChannel.Feature.TWIN, ParentChannel.Feature.METHODS);
        return EnumSet.noneOf(ParentChannel.Feature.class);
    }

    private boolean takesMethods(IdentityId id) {
        return id.equals(agentTwin) || MirrorTargets.isOwnModule(id, settings.deviceId()) || directLeaves.contains(id);
    }

    void start() {
        DeviceCertificate certificate = settings.certificate();
        LOG.info("upstream: connecting to {} over {} as {}, with {}", settings.where(), settings.protocol(),
                settings.deviceId(), certificate == null ? "its symmetric key" : "the X.509 certificate " + certificate);
        String invalid = certificate == null ? null : certificate.invalidAt(java.time.Instant.now());
        if (invalid != null) LOG.warn("the parent will refuse this edge device's certificate: {}", invalid);
        deliverer.start();
        execute(this::connectLink);
        long report = settings.reportInterval().toMillis();
        scheduler.scheduleWithFixedDelay(guarded(this::maintainTwins), report, report, TimeUnit.MILLISECONDS);
        long refresh = settings.scopeRefresh().toMillis();
        scheduler.scheduleWithFixedDelay(guarded(this::refreshScope), refresh, refresh, TimeUnit.MILLISECONDS);
        long sweep = Math.min(settings.idleConnectionTimeout().toMillis(), 60_000);
        scheduler.scheduleWithFixedDelay(guarded(() -> pool.closeIdle(settings.idleConnectionTimeout(), pinned())),
                sweep, sweep, TimeUnit.MILLISECONDS);
    }

    void stop() {
        stopped = true;
        linkUp = false;
        deliverer.stop();
        methods.stop();
        scheduler.shutdownNow();
        try {
            if (!scheduler.awaitTermination(10, TimeUnit.SECONDS)) LOG.warn("the upstream link thread did not stop");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        pool.closeAll();
        transport.close();
        LOG.info("upstream: disconnected from {}", settings.where());
    }

    /**
     * A configurator, the agent or the twin store came (back): a deployment waiting for it can go
     * now, and the mirrored twins are read again.
     */
    void localServicesChanged() {
        execute(() -> {
            syncRequested = true;
            modules.resyncAll();
            leaves.resyncAll();
            maintainTwins();
        });
    }

    /** Connections never closed as idle: they wait for the parent's calls and patches. */
    private Set<IdentityId> pinned() {
        Set<IdentityId> pinned = new HashSet<>(modules.identities());
        pinned.addAll(leaves.identities());
        pinned.addAll(cloudToDevice.identities());
        pinned.add(self);
        pinned.add(agentTwin);
        pinned.add(hubTwin);
        return pinned;
    }

    boolean linkUp() {
        return linkUp;
    }

    private void connectLink() {
        if (stopped || linkUp) return;
        try {
            pool.connected(self);
        } catch (UpstreamException e) {
            if (stopped) return;
            if (!Objects.equals(e.getMessage(), lastLinkFailure)) {
                LOG.warn("upstream {} not reachable: {}; retrying (every {} s at most)", settings.where(), e.getMessage(),
                        settings.reconnectMaxDelay().toSeconds());
                lastLinkFailure = e.getMessage();
            }
            schedule(this::connectLink, reconnectDelay);
            Duration doubled = reconnectDelay.multipliedBy(2);
            reconnectDelay = doubled.compareTo(settings.reconnectMaxDelay()) > 0 ? settings.reconnectMaxDelay() : doubled;
            return;
        }
        reconnectDelay = FIRST_RECONNECT_DELAY;
        lastLinkFailure = null;
        linkUp = true;
        LOG.info("upstream link to {} is up (as {})", settings.where(), settings.deviceId());
        deliverer.linkUp();
        refreshScope();
        syncRequested = true;
        maintainTwins();
    }

    private void linkLost(String cause) {
        if (stopped || !linkUp) return;
        linkUp = false;
        LOG.info("upstream link to {} lost ({}); reconnecting; messages wait in the store", settings.where(), cause);
        schedule(this::connectLink, FIRST_RECONNECT_DELAY);
    }

    /**
     * On the scheduler: one scope request soon, at most one per {@link #MISS_REFRESH_GAP}, however many
     * clients fail (the reference waits at least 120 s between refreshes; a factory adding a sensor
     * should not wait that long, and one small request per 10 s costs the parent little).
     */
    void authenticationMissed(IdentityId claimed) {
        execute(() -> {
            if (!linkUp || missRefreshScheduled) return;
            long sinceLast = System.nanoTime() - lastScopeRequestNanos;
            long wait = Math.max(0, MISS_REFRESH_GAP.toNanos() - sinceLast);
            missRefreshScheduled = true;
            LOG.info("{} failed authentication here: asking the parent for the device scope again{}", claimed,
                    wait == 0 ? "" : " in " + TimeUnit.NANOSECONDS.toSeconds(wait + 999_999_999) + " s");
            schedule(() -> {
                missRefreshScheduled = false;
                refreshScope();
            }, Duration.ofNanos(wait));
        });
    }

    private void refreshScope() {
        if (!linkUp) return;
        lastScopeRequestNanos = System.nanoTime();
        try {
            List<Identity> learned = scope.refresh(pool.get(self));
            if (learned != null) {
                followDirectLeaves();
                cloudToDevice.scopeLearned(learned);
            }
        } catch (UpstreamException e) {
            if (stopped) return;
            LOG.warn("the device scope request failed: {}; keeping the cached scope", e.getMessage());
        }
    }

    /**
     * Reads the direct leaves from the registry (the learned scope and anything registered here with
     * this gateway as its parent), as the modules are. A leaf that joins them, or leaves them (it left
     * the scope, or now sits below a child gateway), loses the channel it has, if any: a channel's
     * features are fixed, and the next use opens one with the twin and method links (or without).
     * That costs a reconnect only when the scope changes; at a restart the scope learned before is
     * already in the registry. The leaf mirror follows at its next round.
     */
    private void followDirectLeaves() {
        Set<IdentityId> before = directLeaves;
        Set<IdentityId> now = Set.copyOf(MirrorTargets.directLeaves(registry.list(), settings.deviceId()));
        if (now.equals(before)) return;
        // set first: a channel made from here on has the new features, one made before is discarded
        directLeaves = now;
        for (IdentityId id : before) {
            if (!now.contains(id)) pool.discard(id);
        }
        for (IdentityId id : now) {
            if (!before.contains(id)) pool.discard(id);
        }
    }

    /** Keeps the twin connections up while the link is, and the mirrored twins in step. */
    private void maintainTwins() {
        if (!linkUp) return;
        maintainDeployment();
        modules.maintain();
        followDirectLeaves();
        // the leaves' cloud-to-device receivers first: over MQTT a leaf's first connection then subscribes once
        cloudToDevice.maintain();
        leaves.maintain();
    }

    /**
     * Runs a deployment sync when one is due (after a (re)connect, a desired patch, a local service
     * coming) and pushes the agent's state.
     */
    private void maintainDeployment() {
        ParentChannel agent;
        ParentChannel hub;
        try {
            agent = pool.get(agentTwin);
            hub = pool.get(hubTwin);
            if (!agent.isConnected() || !hub.isConnected()) {
                agent.ensureConnected();
                hub.ensureConnected();
                syncRequested = true;
            }
            lastTwinFailure = null;
        } catch (UpstreamException e) {
            if (stopped) return;
            if (!Objects.equals(e.getMessage(), lastTwinFailure)) {
                LOG.warn("twin connection failed: {}; deployments and reports wait", e.getMessage());
                lastTwinFailure = e.getMessage();
            }
            return;
        }
        if (syncRequested) {
            syncRequested = false;
            try {
                deployments.sync(agent, hub);
            } catch (UpstreamException e) {
                syncRequested = true;
                if (stopped) return;
                LOG.warn("reading the deployment from the parent failed: {}; trying again", e.getMessage());
            }
        }
        try {
            reporter.report(agent);
        } catch (UpstreamException e) {
            LOG.debug("reporting the agent's state failed: {}", e.getMessage());
        }
    }

    private void onDesiredPatch(IdentityId id, Long version, byte[] patch) {
        if (id.equals(agentTwin) || id.equals(hubTwin)) {
            execute(() -> {
                syncRequested = true;
                maintainTwins();
            });
        } else if (MirrorTargets.isOwnModule(id, settings.deviceId())) {
            execute(() -> modules.desiredPatch(id, version, patch));
        } else if (directLeaves.contains(id)) {
            execute(() -> leaves.desiredPatch(id, version, patch));
        }
    }

    private void onLost(ParentChannel channel, String cause) {
        if (channel.identity().equals(self)) {
            execute(() -> linkLost(cause));
        } else {
            LOG.debug("upstream channel of {} lost: {}", channel.identity(), cause);
        }
    }

    private void execute(Runnable task) {
        try {
            scheduler.execute(guarded(task));
        } catch (RejectedExecutionException e) {
            // stopping
        }
    }

    private void schedule(Runnable task, Duration delay) {
        try {
            scheduler.schedule(guarded(task), delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // stopping
        }
    }

    /** A periodic task that throws would never run again. */
    private Runnable guarded(Runnable task) {
        return () -> {
            if (stopped) return;
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.error("upstream task failed", e);
            }
        };
    }
}
