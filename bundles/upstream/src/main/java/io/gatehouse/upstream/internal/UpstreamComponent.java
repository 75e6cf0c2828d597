package io.gatehouse.upstream.internal;

import io.gatehouse.api.agent.EdgeAgentOperations;
import io.gatehouse.api.deployment.EdgeAgentConfigurator;
import io.gatehouse.api.deployment.EdgeHubConfigurator;
import io.gatehouse.api.identity.IdentityRegistry;
import io.gatehouse.api.identity.SasTokenSigner;
import io.gatehouse.api.method.MethodInvoker;
import io.gatehouse.api.store.MessageStore;
import io.gatehouse.api.twin.TwinStore;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connects this gateway to its parent and drains {@code $upstream} to it (AMQP or MQTT); mirrors the twins
 * of this gateway's modules and of the leaf devices directly below it, and relays the parent's
 * direct-method calls on them to the local invokers. With no {@code hostName} the gateway is the
 * root of its tree and this does nothing. A configuration
 * change disconnects and connects again with the new settings; unacknowledged messages stay in
 * the store and go again. Provides no service: nothing of its configuration (the device key, the
 * key file's path) is published.
 */
@Component(service = {}, immediate = true, configurationPid = {UpstreamComponent.PID, UpstreamComponent.HUB_PID})
// bnd refuses @Designate on a component with two PIDs; the OCD's pid attribute designates the upstream PID instead.
public class UpstreamComponent {
    static final String PID = "io.gatehouse.upstream";
    static final String HUB_PID = "io.gatehouse.hub";
    private static final Logger LOG = LoggerFactory.getLogger(UpstreamComponent.class);

    @ObjectClassDefinition(pid = PID, name = "Gatehouse upstream",
            description = "The link to the parent gateway: drains $upstream on each sender's identity, learns the "
                    + "device scope, takes deployments from the twins, mirrors the twins of its modules and of the leaf "
                    + "devices directly below it and relays their direct methods")
    public @interface Config {
        @AttributeDefinition(description = "Host name of the parent gateway; empty: this gateway is the root of its tree")
        String hostName() default "";

        @AttributeDefinition(description = "Port of the parent's listener; 0: the protocol's default (amqps 5671, "
                + "amqp 5672, mqtts 8883, mqtt 1883)")
        int port() default 0;

        @AttributeDefinition(description = "amqps (AMQP over TLS, one connection for every identity), amqp (plain), "
                + "mqtts (MQTT over TLS, one connection per identity) or mqtt (plain)")
        String protocol() default "amqps";

        @AttributeDefinition(description = "PEM file of the certificates to trust for the parent; empty: the JVM's "
                + "default trust store. The host name is always verified")
        String caFile() default "";

        @AttributeDefinition(type = AttributeType.PASSWORD,
                description = "Symmetric key (base64) of this edge device as registered at the parent; set this or "
                        + "certFile and keyFile")
        String deviceKey() default "";

        @AttributeDefinition(description = "PEM file of this edge device's X.509 certificate as registered at the "
                + "parent (by thumbprint), optionally followed by its chain; needs keyFile and amqps or mqtts")
        String certFile() default "";

        // a path, not a secret; the file's content is one and is never logged
        @AttributeDefinition(description = "PEM file of the certificate's private key: PKCS#8 (BEGIN PRIVATE KEY), "
                + "or BEGIN RSA PRIVATE KEY / BEGIN EC PRIVATE KEY; unencrypted")
        String keyFile() default "";

        @AttributeDefinition(description = "MQTT: messages in flight at once, across all senders. AMQP: messages in "
                + "one batch of a sender (MaxUpstreamBatchSize)")
        int maxBatchSize() default 10;

        @AttributeDefinition(description = "AMQP: bytes in one batch at most (encoded messages); a message larger "
                + "than this goes alone")
        int maxBatchBytes() default UpstreamSettings.DEFAULT_MAX_BATCH_BYTES;

        @AttributeDefinition(description = "Seconds to wait for a connect, a token, a telemetry acknowledgement or "
                + "a twin answer (CloudOperationTimeoutSecs)")
        int operationTimeoutSecs() default 20;

        @AttributeDefinition(description = "Seconds each SAS token is valid (AMQP renews it at 80% of this)")
        int tokenValiditySecs() default 3600;

        @AttributeDefinition(description = "Longest wait in seconds between reconnect attempts (starts at 1 s, doubles)")
        int reconnectMaxDelaySecs() default 2;

        @AttributeDefinition(description = "Seconds between device scope requests (also at every connect)")
        int scopeRefreshSecs() default 3600;

        @AttributeDefinition(description = "Seconds after which an unused on-behalf connection is closed "
                + "(CloudConnectionIdleTimeoutSecs)")
        int idleConnectionTimeoutSecs() default 3600;

        @AttributeDefinition(description = "Seconds between pushes of the agent's and the "
                + "mirrored modules' and leaves' reported properties, when changed; also how often the modules to "
                + "mirror are looked up")
        int reportIntervalSecs() default 5;

        @AttributeDefinition(description = "Seconds a direct method relayed from the parent waits for the local "
                + "module's answer (5-300)")
        int methodResponseTimeoutSecs() default 30;

        @AttributeDefinition(description = "Seconds a direct method relayed from the parent waits for the local "
                + "module to be connected and subscribed to methods before it is answered 404 (0-300)")
        int methodConnectTimeoutSecs() default 0;

        @AttributeDefinition(description = "Directory of this bundle's state (the applied deployment versions, the "
                + "reported properties last pushed per module); relative paths are relative to the working directory")
        String stateDirectory() default "data/upstream";

        @AttributeDefinition(description = "This edge device's id (PID io.gatehouse.hub)")
        String deviceId() default "edge1";
    }

    private final MessageStore store;
    private final IdentityRegistry registry;
    private final SasTokenSigner signer;
    private volatile EdgeAgentConfigurator agentConfigurator;
    private volatile EdgeHubConfigurator hubConfigurator;
    private volatile EdgeAgentOperations agentOperations;
    private volatile TwinStore twinStore;
    // in bind order: the first one answers for a target nobody holds
    private final List<MethodInvoker> methodInvokers = new CopyOnWriteArrayList<>();
    private UpstreamRuntime runtime; // guarded by this

    @Activate
    public UpstreamComponent(@Reference(name = "store") MessageStore store,
            @Reference(name = "registry") IdentityRegistry registry,
            @Reference(name = "signer") SasTokenSigner signer, Config config) {
        this.store = store;
        this.registry = registry;
        this.signer = signer;
        start(config);
    }

    @Modified
    synchronized void modified(Config config) {
        LOG.info("upstream configuration changed: reconnecting with the new settings");
        stop();
        start(config);
    }

    @Deactivate
    synchronized void deactivate() {
        stop();
    }

    private synchronized void start(Config config) {
        if (config.hostName() == null || config.hostName().isBlank()) {
            LOG.info("no upstream configured: this gateway is the root of its tree");
            return;
        }
        UpstreamSettings settings;
        try {
            settings = UpstreamSettings.from(config);
        } catch (IllegalArgumentException e) {
            LOG.error("upstream {}:{} stays offline: {}; messages for $upstream wait in the store",
                    config.hostName().strip(), config.port(), e.getMessage());
            return;
        }
        try {
            UpstreamRuntime r = new UpstreamRuntime(settings, store, registry, signer,
                    new UpstreamRuntime.LocalServices(() -> agentConfigurator, () -> hubConfigurator,
                            () -> agentOperations, () -> twinStore, () -> List.copyOf(methodInvokers)));
            r.start();
            runtime = r;
        } catch (UpstreamException e) {
            LOG.error("upstream {} stays offline: {}; messages for $upstream wait in the store", settings.where(),
                    e.getMessage());
        }
    }

    private synchronized void stop() {
        if (runtime != null) runtime.stop();
        runtime = null;
    }

    /** Whether the link to the parent is up (for tests and diagnostics). */
    synchronized boolean linkUp() {
        return runtime != null && runtime.linkUp();
    }

    /** A client failed authentication here: the scope may be stale (a device new at the parent). */
    private void authenticationMissed(io.gatehouse.api.identity.IdentityId claimed) {
        UpstreamRuntime r;
        synchronized (this) {
            r = runtime;
        }
        if (r != null) r.authenticationMissed(claimed);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindMisses(AuthenticationMisses misses) {
        misses.forwardTo(this::authenticationMissed);
    }

    void unbindMisses(AuthenticationMisses misses) {
        misses.forwardTo(null);
    }

    private void localServicesChanged() {
        UpstreamRuntime r;
        synchronized (this) {
            r = runtime;
        }
        if (r != null) r.localServicesChanged();
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindAgentConfigurator(EdgeAgentConfigurator c) {
        agentConfigurator = c;
        localServicesChanged();
    }

    void unbindAgentConfigurator(EdgeAgentConfigurator c) {
        if (agentConfigurator == c) agentConfigurator = null;
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindHubConfigurator(EdgeHubConfigurator c) {
        hubConfigurator = c;
        localServicesChanged();
    }

    void unbindHubConfigurator(EdgeHubConfigurator c) {
        if (hubConfigurator == c) hubConfigurator = null;
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindAgentOperations(EdgeAgentOperations o) {
        agentOperations = o;
    }

    void unbindAgentOperations(EdgeAgentOperations o) {
        if (agentOperations == o) agentOperations = null;
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindTwinStore(TwinStore s) {
        twinStore = s;
        localServicesChanged();
    }

    void unbindTwinStore(TwinStore s) {
        if (twinStore == s) twinStore = null;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindMethodInvoker(MethodInvoker i) {
        methodInvokers.add(i);
    }

    void unbindMethodInvoker(MethodInvoker i) {
        methodInvokers.remove(i);
    }
}
