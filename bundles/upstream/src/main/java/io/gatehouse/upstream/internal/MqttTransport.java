package io.gatehouse.upstream.internal;

import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.message.Message;
import io.gatehouse.api.store.MessageStore;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Set;
import javax.net.SocketFactory;

/**
 * IoT Hub MQTT to the parent: one connection per identity, telemetry one PUBLISH each, twin and
 * scope requests matched by {@code $rid} across all of them; a leaf's cloud-to-device messages on
 * its own connection.
 */
final class MqttTransport implements ParentTransport {
    private final UpstreamSettings settings;
    private final UpstreamCredentials credentials;
    private final SocketFactory sockets;
    private final Requests requests = new Requests();
    private final CloudToDeviceRelay cloudToDevice;

    MqttTransport(UpstreamSettings settings, UpstreamCredentials credentials, MessageStore store)
            throws UpstreamException {
        this.settings = settings;
        this.credentials = credentials;
        this.sockets = settings.tls()
                ? NoDelaySocketFactory.tls(TlsSocketFactories.create(settings.caFile(), settings.certificate()))
                : NoDelaySocketFactory.plain();
        this.cloudToDevice = new CloudToDeviceRelay(store, Clock.systemUTC());
    }

    @Override
    public ParentChannel channel(IdentityId identity, Set<ParentChannel.Feature> features,
            ParentChannel.Listener listener) {
        return new MqttParentChannel(identity, settings, credentials, sockets, features, requests, listener,
                cloudToDevice);
    }

    /** Each message is its own PUBLISH: the window is maxBatchSize messages. */
    @Override
    public int window() {
        return settings.maxBatchSize();
    }

    /** On the leaf's own connection, one per leaf, each kept open while the leaf is in the scope. */
    @Override
    public boolean relaysCloudToDevice() {
        return true;
    }

    @Override
    public String invalidReason(Message m) {
        String invalid = TelemetryEncoding.invalidReason(m);
        if (invalid != null) return invalid;
        if (TelemetryEncoding.topic(TelemetryEncoding.sender(m), m).getBytes(StandardCharsets.UTF_8).length
                > TelemetryEncoding.MAX_TOPIC_BYTES) {
            return "its properties do not fit in an MQTT topic (" + TelemetryEncoding.MAX_TOPIC_BYTES + " bytes)";
        }
        return null;
    }

    @Override
    public void close() {
        cloudToDevice.stop();
    }
}
