package io.gatehouse.amqp.internal;

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
import io.gatehouse.headsupport.methods.MethodRequestLimits;
import io.gatehouse.headsupport.net.HeadEventLoops;
import io.gatehouse.headsupport.services.ServiceSlot;
import io.gatehouse.headsupport.tls.CertificatesBinding;
import io.gatehouse.headsupport.tls.TlsListener;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
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
 * The AMQP head: AMQPS (and plain AMQP on loopback) for devices and modules written with the
 * Azure IoT device SDKs, and for child gateways. Its services are dynamic: while the router, the
 * store or the authenticator is being updated, connections stay up and transfers wait,
 * unsettled. It serves twin requests from the {@link TwinStore} and, as a
 * {@link DesiredPropertiesListener}, passes desired changes on to subscribed twin links; as a
 * {@link MethodInvoker} it calls direct methods on the identities whose methods links it holds.
 */
@Component(service = {DesiredPropertiesListener.class, MethodInvoker.class}, immediate = true,
        configurationPid = {AmqpHead.PID, AmqpHead.HUB_PID})
// bnd refuses @Designate on a component with two PIDs; the OCD's pid attribute designates the AMQP PID instead.
public class AmqpHead implements DesiredPropertiesListener, MethodInvoker {
    static final String PID = "io.gatehouse.amqp";
    static final String HUB_PID = "io.gatehouse.hub";
    private static final Logger LOG = LoggerFactory.getLogger(AmqpHead.class);

    @ObjectClassDefinition(pid = PID, name = "Gatehouse AMQP head",
            description = "AMQP 1.0 listeners for the Azure IoT device SDKs and child gateways: telemetry, module inputs, "
                    + "cloud-to-device messages, twins, direct methods")
    public @interface Config {
        @AttributeDefinition(description = "AMQPS port (devices and modules connect here); 0 picks a free one, -1 turns it off")
        int tlsPort() default 5671;

        @AttributeDefinition(description = "Address of the AMQPS listener")
        String tlsHost() default "0.0.0.0";

        @AttributeDefinition(description = "Plain AMQP port; 0 picks a free one, -1 turns it off")
        int port() default 5672;

        @AttributeDefinition(description = "Address of the plain AMQP listener (keep it on loopback)")
        String host() default "127.0.0.1";

        @AttributeDefinition(description = "Seconds of silence after which a connection is closed; half of it is "
                + "advertised as idle-time-out, so clients send heartbeats in time")
        int idleTimeoutSecs() default 240;

        @AttributeDefinition(description = "Largest message accepted, in bytes (the reference: 1 MiB)")
        int maxMessageBytes() default 1048576;

        @AttributeDefinition(description = "Messages in flight to one module (inputs) or device (cloud-to-device) before its outcomes")
        int maxInflightToClient() default 100;

        @AttributeDefinition(description = "Seconds a client has to settle a message from the store before its link is "
                + "detached (the message comes again on the next attach); at least 1")
        int clientAckTimeoutSecs() default 30;

        @AttributeDefinition(description = "How long a transfer waits for a router or store that is being updated, in ms")
        long serviceWaitMillis() default 30000;

        @AttributeDefinition(description = "Twin requests of all clients waiting for the twin store; beyond that they are answered 429")
        int maxQueuedTwinRequests() default 1000;

        @AttributeDefinition(description = "Network threads; 0 means one per core")
        int ioThreads() default 0;

        @AttributeDefinition(description = "The edge device's id (shared PID io.gatehouse.hub)")
        String deviceId() default "edge1";

        @AttributeDefinition(description = "The IoT Hub host name (shared PID io.gatehouse.hub)")
        String iotHubHostName() default "gatehouse.local";

        @AttributeDefinition(description = "The host name clients connect to (shared PID io.gatehouse.hub)")
        String gatewayHostName() default "localhost";
    }

    /** Transfers a client may have unsettled on one telemetry link. */
    static final int CREDIT_WINDOW = 100;

    private final ServiceSlot<Authenticator> authenticator = new ServiceSlot<>();
    private final ServiceSlot<IdentityRegistry> registry = new ServiceSlot<>();
    private final ServiceSlot<MessageRouter> router = new ServiceSlot<>();
    private final ServiceSlot<MessageStore> store = new ServiceSlot<>();
    private final ServiceSlot<TwinStore> twinStore = new ServiceSlot<>();
    private final CertificatesBinding tls = new CertificatesBinding();
    private HeadEventLoops loops;
    private Channel plainListener;
    private TelemetryStore telemetry;
    private TwinRequests twins;
    /** Read by desired-change and method callers on their own threads. */
    private volatile IdentityConnections connections;
    private volatile MethodCalls methods;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindAuthenticator(Authenticator a) {
        authenticator.set(a);
    }

    void unbindAuthenticator(Authenticator a) {
        authenticator.clear(a);
    }

    /** Answers the device-scope requests of child gateways ({@code $gatehouse/scope}). */
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
            check(config);
            telemetry = new TelemetryStore(router, store, config.serviceWaitMillis());
            twins = new TwinRequests(twinStore, config.maxQueuedTwinRequests());
            methods = new MethodCalls();
            connections = new IdentityConnections();
            HeadContext hub = new HeadContext(authenticator, registry, new ScopeAnswers(), store, telemetry, twins, methods,
                    connections,
                    config.deviceId() + "/$edgeHub", (int) Math.min(Integer.MAX_VALUE, config.idleTimeoutSecs() * 1000L),
                    config.maxMessageBytes(), config.maxInflightToClient(),
                    Duration.ofSeconds(config.clientAckTimeoutSecs()), CREDIT_WINDOW);
            loops = new HeadEventLoops("gatehouse-amqp", config.ioThreads());
            Consumer<Channel> pipeline = ch -> ch.pipeline().addLast("amqp", new AmqpConnection(hub));
            ServerBootstrap bootstrap = loops.bootstrap();
            if (config.port() != -1) {
                plainListener = bootstrap.clone()
                        .childHandler(new ChannelInitializer<Channel>() {
                            @Override
                            protected void initChannel(Channel ch) {
                                pipeline.accept(ch);
                            }
                        })
                        .bind(new InetSocketAddress(config.host(), config.port())).sync().channel();
                LOG.info("AMQP head listening on {} (plain AMQP)", plainListener.localAddress());
            } else {
                LOG.info("Plain AMQP is off (port = -1)");
            }
            if (config.tlsPort() == -1) {
                LOG.info("AMQPS is off (tlsPort = -1)");
                return;
            }
            LOG.info("AMQP head of {} ({}): SDK clients use GatewayHostName={} and port {}", config.deviceId(),
                    config.iotHubHostName(), config.gatewayHostName(), config.tlsPort());
            tls.open(new TlsListener("AMQPS", bootstrap, pipeline, config.tlsHost(), config.tlsPort()));
        } catch (Exception e) {
            LOG.error("AMQP head could not start: {}", e.toString());
            deactivate();
            throw e;
        }
    }

    private static void check(Config config) {
        for (int port : new int[] {config.port(), config.tlsPort()}) {
            if (port < -1 || port > 65535) {
                throw new IllegalArgumentException("ports must be 0-65535, 0 (any free port) or -1 (off), was " + port);
            }
        }
        if (config.clientAckTimeoutSecs() < 1) {
            throw new IllegalArgumentException("clientAckTimeoutSecs must be at least 1, was " + config.clientAckTimeoutSecs());
        }
        if (config.idleTimeoutSecs() < 0) {
            throw new IllegalArgumentException("idleTimeoutSecs must be 0 (none) or more, was " + config.idleTimeoutSecs());
        }
        if (config.maxMessageBytes() < 1024) {
            throw new IllegalArgumentException("maxMessageBytes must be at least 1024, was " + config.maxMessageBytes());
        }
        if (config.maxQueuedTwinRequests() < 1) {
            throw new IllegalArgumentException("maxQueuedTwinRequests must be at least 1, was " + config.maxQueuedTwinRequests());
        }
        if (config.maxInflightToClient() < 1) {
            throw new IllegalArgumentException("maxInflightToClient must be at least 1, was " + config.maxInflightToClient());
        }
    }

    /** The plain port bound, or -1 when off. */
    int boundPort() {
        return plainListener == null ? -1 : ((InetSocketAddress) plainListener.localAddress()).getPort();
    }

    /** The TLS port bound, or -1 while closed. */
    int boundTlsPort() {
        return tls.boundPort();
    }

    /** Who holds which identity; for tests. */
    IdentityConnections connections() {
        return connections;
    }

    /** Sent now to the twin links of the identity that subscribed to desired patches; never kept for later. */
    @Override
    public void desiredChanged(IdentityId id, String patchJson, long version) {
        IdentityConnections c = connections;
        AmqpConnection holder = c == null ? null : c.holder(id);
        if (holder != null) holder.desiredChanged(id, patchJson, version);
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
        if (calls == null) return DirectMethodCalls.refused(MethodRequestLimits.problem(request), MethodCalls.HEAD_STOPPED);
        return calls.invoke(request);
    }

    @Deactivate
    void deactivate() {
        MethodCalls calls = methods;
        methods = null;
        // before the connections close: callers learn the head stopped, not that their target left
        if (calls != null) calls.close();
        tls.close();
        if (plainListener != null) plainListener.close().syncUninterruptibly();
        plainListener = null;
        // closing the event loops closes every connection; links release their consumers as they go
        if (loops != null) loops.shutdown();
        if (telemetry != null) telemetry.close();
        if (twins != null) twins.close();
        loops = null;
        telemetry = null;
        twins = null;
    }
}
