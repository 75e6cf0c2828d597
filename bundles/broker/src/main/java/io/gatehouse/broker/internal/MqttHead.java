package io.gatehouse.broker.internal;

import io.gatehouse.api.identity.Authenticator;
import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.identity.IdentityRegistry;
import io.gatehouse.api.method.MethodInvoker;
import io.gatehouse.api.method.MethodRequest;
import io.gatehouse.api.method.MethodResult;
import io.gatehouse.api.route.MessageRouter;
import io.gatehouse.api.store.MessageStore;
import io.gatehouse.api.tls.EdgeCertificates;
import io.gatehouse.api.twin.DesiredPropertiesListener;
import io.gatehouse.api.twin.TwinStore;
import io.gatehouse.headsupport.methods.DirectMethodCalls;
import io.gatehouse.headsupport.net.HeadEventLoops;
import io.gatehouse.headsupport.services.ServiceSlot;
import io.gatehouse.headsupport.tls.CertificatesBinding;
import io.gatehouse.headsupport.tls.TlsListener;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MQTT listeners of the hub: plain on loopback, and TLS while {@link EdgeCertificates} are
 * there. Its services are dynamic: while the router, the store or the authenticator is being
 * updated, connections stay up and publishes wait, unacknowledged; while the certificates are
 * being replaced, the plain listener and established connections are not touched. It serves
 * twin requests from the {@link TwinStore} and, as a {@link DesiredPropertiesListener}, passes
 * desired changes on to subscribed clients. As a {@link MethodInvoker} it calls direct methods on
 * the clients it holds. It delivers module inputs and cloud-to-device messages from the store, and
 * answers child gateways' device-scope requests from the {@link IdentityRegistry}.
 */
@Component(service = {DesiredPropertiesListener.class, MethodInvoker.class}, immediate = true,
        configurationPid = "io.gatehouse.broker")
@Designate(ocd = MqttHead.Config.class)
public class MqttHead implements DesiredPropertiesListener, MethodInvoker {
    private static final Logger LOG = LoggerFactory.getLogger(MqttHead.class);

    @ObjectClassDefinition(name = "Gatehouse MQTT head",
            description = "The MQTT 3.1.1 listener: IoT Hub topics and user topics")
    public @interface Config {
        @AttributeDefinition(description = "Address to listen on (plain MQTT: keep it on loopback)")
        String host() default "127.0.0.1";

        @AttributeDefinition(description = "Plain MQTT port")
        int port() default 1883;

        @AttributeDefinition(description = "Address of the MQTT over TLS listener (devices on the plant network connect here)")
        String tlsHost() default "0.0.0.0";

        @AttributeDefinition(description = "MQTT over TLS port; 0 picks a free one, -1 turns the TLS listener off")
        int tlsPort() default 8883;

        @AttributeDefinition(description = "Loopback port of the embedded general broker for user topics; 0 picks a free one")
        int internalPort() default 0;

        @AttributeDefinition(description = "Largest MQTT packet accepted, in bytes (IoT Hub: 256 KiB)")
        int maxMessageBytes() default 262144;

        @AttributeDefinition(description = "Publishes to one module (inputs) or device (cloud-to-device) in flight before its PUBACKs")
        int maxInflightToModule() default 100;

        @AttributeDefinition(description = "Seconds a module (or a device, for cloud-to-device messages) has to acknowledge a "
                + "QoS 1 publish from the store before it is sent again (with the DUP flag, after the retry backoff); at least 1")
        int moduleAckTimeoutSecs() default 30;

        @AttributeDefinition(description = "Unacknowledged publishes of one client before the hub stops reading its socket")
        int maxPendingAcks() default 1000;

        @AttributeDefinition(description = "How long a publish waits for a router or store that is being updated, in ms")
        long serviceWaitMillis() default 30000;

        @AttributeDefinition(description = "Twin requests of all clients waiting for the twin store; beyond that they are answered 429")
        int maxQueuedTwinRequests() default 1000;

        @AttributeDefinition(description = "Network threads; 0 means one per core")
        int ioThreads() default 0;

        @AttributeDefinition(description = "Directory for the head's own state (persistent sessions)")
        String stateDirectory() default "data/broker";
    }

    private final ServiceSlot<Authenticator> authenticator = new ServiceSlot<>();
    private final ServiceSlot<IdentityRegistry> registry = new ServiceSlot<>();
    private final ServiceSlot<MessageRouter> router = new ServiceSlot<>();
    private final ServiceSlot<MessageStore> store = new ServiceSlot<>();
    private final ServiceSlot<TwinStore> twinStore = new ServiceSlot<>();
    private HeadEventLoops loops;
    private Channel listener;
    /** Binds may come before, during and after activation. */
    private final CertificatesBinding tls = new CertificatesBinding();
    private TelemetryIngest ingest;
    private UserTopicBroker userTopics;
    /** Read by desired-change callers on their own threads. */
    private volatile ConnectionRegistry connections;
    private TwinRequests twins;
    /** Read by method callers on their own threads. */
    private volatile MethodCalls methods;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindAuthenticator(Authenticator a) {
        authenticator.set(a);
    }

    void unbindAuthenticator(Authenticator a) {
        authenticator.clear(a);
    }

    /** Answers the device-scope requests of child gateways ({@code $gatehouse/scope/…}). */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindIdentityRegistry(IdentityRegistry r) {
        registry.set(r);
    }

    void unbindIdentityRegistry(IdentityRegistry r) {
        registry.clear(r);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindRouter(MessageRouter r) {
        router.set(r);
    }

    void unbindRouter(MessageRouter r) {
        router.clear(r);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindStore(MessageStore s) {
        store.set(s);
    }

    void unbindStore(MessageStore s) {
        store.clear(s);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindTwinStore(TwinStore t) {
        twinStore.set(t);
    }

    void unbindTwinStore(TwinStore t) {
        twinStore.clear(t);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindEdgeCertificates(EdgeCertificates c) {
        tls.bind(c);
    }

    void unbindEdgeCertificates(EdgeCertificates c) {
        tls.unbind(c);
    }

    @Activate
    void activate(Config config) throws Exception {
        try {
            if (config.moduleAckTimeoutSecs() < 1) {
                throw new IllegalArgumentException("moduleAckTimeoutSecs must be at least 1, was " + config.moduleAckTimeoutSecs());
            }
            if (config.tlsPort() < -1 || config.tlsPort() > 65535) {
                throw new IllegalArgumentException("tlsPort must be a port, 0 (any free port) or -1 (no TLS listener), was "
                        + config.tlsPort());
            }
            userTopics = new UserTopicBroker(config.internalPort(), config.maxMessageBytes(),
                    Set.copyOf(List.of(config.port(), config.tlsPort())));
            ingest = new TelemetryIngest(router, store, config.serviceWaitMillis());
            if (config.maxQueuedTwinRequests() < 1) {
                throw new IllegalArgumentException("maxQueuedTwinRequests must be at least 1, was " + config.maxQueuedTwinRequests());
            }
            twins = new TwinRequests(twinStore, config.maxQueuedTwinRequests());
            connections = new ConnectionRegistry();
            methods = new MethodCalls(connections);
            HubContext hub = new HubContext(authenticator, registry, store, ingest, connections,
                    // the file keeps its first name: sessions persisted by earlier versions stay valid
                    new PersistentSubscriptions(Path.of(config.stateDirectory(), "input-subscriptions")),
                    userTopics, config.maxInflightToModule(), config.maxPendingAcks(), config.maxMessageBytes(),
                    Duration.ofSeconds(config.moduleAckTimeoutSecs()), twins, methods);
            loops = new HeadEventLoops("gatehouse-mqtt", config.ioThreads());
            MqttPipeline pipeline = new MqttPipeline(hub, config.maxMessageBytes());
            ServerBootstrap bootstrap = loops.bootstrap()
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 * 1024, 256 * 1024));
            listener = bootstrap.clone()
                    .childHandler(pipeline.plain())
                    .bind(new InetSocketAddress(config.host(), config.port()))
                    .sync()
                    .channel();
            LOG.info("MQTT head listening on {}", listener.localAddress());
            startTls(config, bootstrap, pipeline);
        } catch (Exception e) {
            LOG.error("MQTT head could not start on {}:{}: {}", config.host(), config.port(), e.toString());
            deactivate();
            throw e;
        }
    }

    private void startTls(Config config, ServerBootstrap bootstrap, MqttPipeline pipeline) {
        if (config.tlsPort() == -1) {
            LOG.info("MQTT over TLS is off (tlsPort = -1)");
            return;
        }
        tls.open(new TlsListener("MQTT over TLS", bootstrap, pipeline::addMqttHandlers, config.tlsHost(), config.tlsPort()));
    }

    /** The port actually bound (useful when configured as 0). */
    int boundPort() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** The TLS port actually bound, or -1 while there is no TLS listener. */
    int boundTlsPort() {
        return tls.boundPort();
    }

    /** Sent now to the identity's connection if it subscribed to desired patches; never kept for later. */
    @Override
    public void desiredChanged(IdentityId id, String patchJson, long version) {
        ConnectionRegistry registry = connections;
        MqttConnection connection = registry == null ? null : registry.get(id);
        if (connection != null) TwinRequests.pushDesired(connection, patchJson, version);
    }

    @Override
    public boolean holds(IdentityId target) {
        MethodCalls calls = methods;
        return calls != null && calls.holds(target);
    }

    /** Fails with {@link IllegalArgumentException} for a request beyond the limits, whatever the target. */
    @Override
    public CompletionStage<MethodResult> invoke(MethodRequest request) {
        MethodCalls calls = methods;
        if (calls == null) return DirectMethodCalls.refused(MethodRequestValidator.problem(request), MethodCalls.HEAD_STOPPED);
        return calls.invoke(request);
    }

    @Deactivate
    void deactivate() {
        MethodCalls calls = methods;
        methods = null;
        // before the connections close: callers learn the head stopped, not that their target left
        if (calls != null) calls.close();
        tls.close();
        if (listener != null) listener.close().syncUninterruptibly();
        if (connections != null) connections.all().forEach(c -> c.closeBecause("hub is stopping"));
        if (ingest != null) ingest.close();
        if (twins != null) twins.close();
        if (loops != null) loops.shutdown();
        loops = null;
        if (userTopics != null) userTopics.close();
        listener = null;
        connections = null;
        twins = null;
        LOG.info("MQTT head stopped");
    }
}
