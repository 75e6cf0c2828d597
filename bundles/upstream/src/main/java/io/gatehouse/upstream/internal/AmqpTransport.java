package io.gatehouse.upstream.internal;

import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.message.Message;
import io.gatehouse.api.store.MessageStore;
import java.time.Clock;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import javax.net.ssl.SSLSocketFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * IoT Hub AMQP to the parent: ONE connection for every identity. The gateway's own channel opens
 * it (its state is the link's); each identity then authenticates on it by a CBS put-token and
 * has its own session and links. The connection lost, every channel is lost with it.
 */
final class AmqpTransport implements ParentTransport {
    private static final Logger LOG = LoggerFactory.getLogger(AmqpTransport.class);
    /**
     * Batches of one sender in flight at once. One batch waits a round trip plus the parent's
     * durable append; with four in flight the link keeps sending while the parent stores, and the
     * parent's link credit (100 transfers) is never what stops it.
     */
    static final int BATCHES_IN_FLIGHT = 4;

    /** An open connection with its CBS node. */
    record Shared(AmqpUpstreamConnection connection, CbsClient cbs) {
    }

    private final UpstreamSettings settings;
    private final UpstreamCredentials credentials;
    private final SSLSocketFactory tls;
    private final CloudToDeviceRelay cloudToDevice;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "gatehouse-upstream-amqp-timer");
        t.setDaemon(true);
        return t;
    });
    private volatile Shared current;

    AmqpTransport(UpstreamSettings settings, UpstreamCredentials credentials, MessageStore store)
            throws UpstreamException {
        this.settings = settings;
        this.credentials = credentials;
        this.tls = settings.tls() ? TlsSocketFactories.create(settings.caFile(), settings.certificate()) : null;
        this.cloudToDevice = new CloudToDeviceRelay(store, Clock.systemUTC());
    }

    /** The open connection, opening a new one when there is none (the gateway's own channel does this). */
    synchronized Shared connect() throws UpstreamException {
        Shared s = current;
        if (s != null && s.connection().isOpen()) return s;
        AmqpUpstreamConnection c = AmqpUpstreamConnection.open(settings, tls, timer);
        CbsClient cbs;
        try {
            cbs = c.call(() -> new CbsClient(c.session(), reason -> {
                LOG.warn("the parent detached $cbs ({}): reconnecting", reason);
                c.close();
            }));
            c.onClose(cbs::failAll);
            AmqpRequests.awaitDone(cbs.attached(), settings.operationTimeout().toMillis(), "attaching $cbs");
        } catch (UpstreamException e) {
            c.close();
            throw e;
        }
        current = new Shared(c, cbs);
        return current;
    }

    /** The open connection; the gateway's channel opens it. */
    Shared connected() throws UpstreamException {
        Shared s = current;
        if (s == null || !s.connection().isOpen()) throw new UpstreamException("the upstream link is down");
        return s;
    }

    UpstreamSettings settings() {
        return settings;
    }

    UpstreamCredentials credentials() {
        return credentials;
    }

    ScheduledExecutorService timer() {
        return timer;
    }

    CloudToDeviceRelay cloudToDevice() {
        return cloudToDevice;
    }

    @Override
    public ParentChannel channel(IdentityId identity, Set<ParentChannel.Feature> features,
            ParentChannel.Listener listener) {
        return new AmqpParentChannel(identity, IdentityId.device(settings.deviceId()).equals(identity), features, this,
                listener);
    }

    /** {@link #BATCHES_IN_FLIGHT} full batches of one sender. */
    @Override
    public int window() {
        return settings.maxBatchSize() * BATCHES_IN_FLIGHT;
    }

    @Override
    public boolean relaysCloudToDevice() {
        return true;
    }

    @Override
    public String invalidReason(Message m) {
        return TelemetryEncoding.invalidReason(m);
    }

    @Override
    public synchronized void close() {
        Shared s = current;
        current = null;
        if (s != null) s.connection().close();
        timer.shutdownNow();
        cloudToDevice.stop();
    }
}
