package io.gatehouse.upstream.internal;

import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.message.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.SocketFactory;
import javax.net.ssl.SSLSocketFactory;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One identity's MQTT connection to the parent (one per identity: the parent keeps only the
 * newest of an identity's connections). Reconnecting is the caller's choice, never automatic, so
 * that each reconnect takes a fresh token. Nothing is kept here across connections: the store holds
 * what was not acknowledged. Twin and scope answers are matched to their requests by {@code $rid}.
 *
 * <p>Every message from the parent is acknowledged by hand (Paho's manual acks): at once after it
 * was handled, except a leaf's cloud-to-device message, acknowledged only once the local store took
 * it. A leaf's connection (a device on behalf, not this gateway) keeps its session at the parent
 * (clean session off), so a message whose PUBACK never came is sent again after a reconnect.
 */
final class MqttParentChannel implements ParentChannel {
    private static final Logger LOG = LoggerFactory.getLogger(MqttParentChannel.class);

    /** Seconds between MQTT pings, so a dead link is noticed without traffic. */
    static final int KEEP_ALIVE_SECS = 30;
    /** Paho's in-flight limit per connection, far above any window the deliverer keeps. */
    private static final int MAX_INFLIGHT = 1000;

    private final IdentityId identity;
    private final UpstreamSettings settings;
    private final UpstreamCredentials credentials;
    private final SocketFactory socketFactory;
    private final List<String> subscriptions;
    private final Requests requests;
    private final Listener listener;
    private final CloudToDeviceRelay cloudToDeviceRelay;
    /** A leaf device: it keeps its session, and the parent's cloud-to-device messages on it go to the store. */
    private final boolean leaf;
    private final AtomicReference<Live> live = new AtomicReference<>();
    /** Set once the leaf's cloud-to-device messages are wanted: subscribed at every connect from then on. */
    private volatile boolean cloudToDevice;
    private volatile Live subscribedToCloudToDevice;
    private volatile long lastUsedNanos = System.nanoTime();
    private volatile long connects;

    MqttParentChannel(IdentityId identity, UpstreamSettings settings, UpstreamCredentials credentials,
            SocketFactory socketFactory, Set<Feature> features, Requests requests, Listener listener,
            CloudToDeviceRelay cloudToDeviceRelay) {
        this.identity = identity;
        this.cloudToDeviceRelay = cloudToDeviceRelay;
        this.leaf = !identity.isModule() && !identity.deviceId().equals(settings.deviceId());
        this.settings = settings;
        this.credentials = credentials;
        this.socketFactory = socketFactory;
        this.subscriptions = subscriptions(features);
        this.requests = requests;
        this.listener = listener;
    }

    private static List<String> subscriptions(Set<Feature> features) {
        List<String> topics = new ArrayList<>();
        if (features.contains(Feature.SCOPE)) topics.add(ScopeSync.RESPONSES);
        if (features.contains(Feature.TWIN)) {
            topics.add(TwinClient.RESPONSES);
            topics.add(TwinClient.DESIRED_PATCHES);
        }
        if (features.contains(Feature.METHODS)) topics.add(MethodRelay.REQUESTS);
        return List.copyOf(topics);
    }

    @Override
    public IdentityId identity() {
        return identity;
    }

    @Override
    public boolean isConnected() {
        Live l = live.get();
        return l != null && l.connected();
    }

    @Override
    public long connects() {
        return connects;
    }

    @Override
    public long idleNanos() {
        return System.nanoTime() - lastUsedNanos;
    }

    @Override
    public synchronized void ensureConnected() throws UpstreamException {
        lastUsedNanos = System.nanoTime();
        if (isConnected()) return;
        closeClient();
        MqttConnectOptions options = options();
        MqttAsyncClient c;
        try {
            c = new MqttAsyncClient(settings.serverUri(), identity.toString(), new MemoryPersistence());
        } catch (MqttException | IllegalArgumentException e) {
            throw new UpstreamException("cannot open a client for " + identity + ": " + e.getMessage(), e);
        }
        Live l = new Live(c, new AtomicBoolean());
        c.setManualAcks(true);
        c.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                l.gone.set(true);
                if (live.get() == l) listener.lost(MqttParentChannel.this, cause == null ? "closed" : cause.getMessage());
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                arrived(l, topic, message);
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
                // completion is read from each publish's token
            }
        });
        long timeout = settings.operationTimeout().toMillis();
        boolean withCloudToDevice = cloudToDevice;
        List<String> topics = new ArrayList<>(subscriptions);
        if (withCloudToDevice) topics.add(MqttCloudToDevice.filter(identity.deviceId()));
        try {
            c.connect(options).waitForCompletion(timeout);
            if (!topics.isEmpty()) {
                String[] filters = topics.toArray(String[]::new);
                int[] qos = new int[filters.length];
                java.util.Arrays.fill(qos, 1);
                IMqttToken sub = c.subscribe(filters, qos);
                sub.waitForCompletion(timeout);
                int[] granted = sub.getGrantedQos();
                for (int i = 0; i < granted.length && i < filters.length; i++) {
                    if (granted[i] == 0x80) {
                        throw new UpstreamException("the parent refused the subscription " + filters[i] + " of "
                                + identity);
                    }
                }
            }
        } catch (MqttException e) {
            l.gone.set(true);
            closeQuietly(c);
            throw new UpstreamException(identity + ": " + describe(e), e);
        } catch (UpstreamException e) {
            l.gone.set(true);
            closeQuietly(c);
            throw e;
        }
        live.set(l);
        if (withCloudToDevice) subscribedToCloudToDevice = l;
        connects++;
    }

    /** What CONNECT carries (package-private: the tests read that X.509 sends no password). */
    MqttConnectOptions options() throws UpstreamException {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        // a leaf's session holds the cloud-to-device messages not yet acknowledged (the store did not take them)
        o.setCleanSession(!leaf);
        o.setAutomaticReconnect(false);
        o.setKeepAliveInterval(KEEP_ALIVE_SECS);
        o.setConnectionTimeout((int) Math.max(1, settings.operationTimeout().toSeconds()));
        // The deliverer keeps the window (maxBatchSize); Paho's own limit must never be what refuses a
        // publish: it counts a message until its PUBACK is processed on Paho's threads, which can be after
        // the token completed, so a limit near the window failed publishes ("Too many publishes in
        // progress") and cost a backoff each. The parent reads no more than its maxPendingAcks (1000).
        o.setMaxInflight(MAX_INFLIGHT);
        o.setUserName(credentials.username(identity));
        // with X.509 the TLS handshake carries this gateway's certificate, and a CONNECT without password asks for it
        if (!credentials.x509()) o.setPassword(credentials.password(identity).toCharArray());
        o.setSocketFactory(socketFactory);
        if (socketFactory instanceof SSLSocketFactory) o.setHttpsHostnameVerificationEnabled(true);
        return o;
    }

    /**
     * On Paho's thread: a leaf's cloud-to-device message goes to the store and is acknowledged once
     * stored; anything else is handled, then acknowledged.
     */
    private void arrived(Live l, String topic, MqttMessage message) {
        if (leaf && MqttCloudToDevice.isFor(topic, identity.deviceId())) {
            relayCloudToDevice(l, topic, message);
            return;
        }
        try {
            arrived(topic, message.getPayload());
        } finally {
            acknowledge(l, message);
        }
    }

    /**
     * A session resumed at connect may deliver before the connect returned: such a message is
     * stored all the same, the connection being {@code l}'s whatever the caller does next.
     */
    private void relayCloudToDevice(Live l, String topic, MqttMessage message) {
        String device = identity.deviceId();
        byte[] payload = message.getPayload();
        cloudToDeviceRelay.received(device, now -> MqttCloudToDevice.decode(topic, device, payload, now),
                new CloudToDeviceRelay.Settlement() {
                    @Override
                    public void accept() {
                        acknowledge(l, message);
                    }

                    @Override
                    public void release() {
                        drop(l, "the local store did not take a cloud-to-device message");
                    }

                    @Override
                    public void reject(String reason) {
                        // MQTT cannot refuse a message; one that can never be read would otherwise come forever
                        acknowledge(l, message);
                    }

                    @Override
                    public boolean abandoned() {
                        return l.gone.get();
                    }
                });
    }

    private static void acknowledge(Live l, MqttMessage message) {
        if (message.getQos() == 0 || l.gone.get()) return;
        try {
            l.client.messageArrivedComplete(message.getId(), message.getQos());
        } catch (MqttException | RuntimeException e) {
            // the connection is gone: the parent sends it again
        }
    }

    /**
     * Ends connection {@code l} without acknowledging what it still holds, so that the parent sends
     * it again on the next connection (made by the caller, as always); later messages on it are
     * not stored ({@link CloudToDeviceRelay.Settlement#abandoned}), which keeps them in order.
     */
    private void drop(Live l, String why) {
        if (!l.gone.compareAndSet(false, true)) return;
        live.compareAndSet(l, null);
        LOG.info("dropped the upstream connection of {}: {}; the parent sends it again", identity, why);
        closeQuietly(l.client);
    }

    /** On Paho's thread: answers complete their requests, the rest goes to the listener. */
    private void arrived(String topic, byte[] payload) {
        if (requests.complete(TwinClient.RESPONSE_PREFIX, topic, payload)) return;
        if (requests.complete(ScopeSync.RESPONSE_PREFIX, topic, payload)) return;
        if (topic.startsWith(TwinClient.DESIRED_PATCH_PREFIX)) {
            listener.desiredPatch(this, version(Requests.query(topic, "$version")), payload);
        } else if (topic.startsWith(MethodRelay.REQUEST_PREFIX)) {
            String rid = Requests.query(topic, "$rid");
            MethodCall.Answer answer = rid == null || rid.isEmpty() ? null
                    : (status, body) -> publish("$iothub/methods/res/" + status + "/?$rid=" + rid, body);
            listener.methodCall(this, new MethodCall(answer == null ? null : rid, MethodRelay.methodName(topic),
                    payload, answer));
        }
    }

    private static Long version(String v) {
        if (v == null) return null;
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public Ack send(Message message) throws UpstreamException {
        IMqttDeliveryToken token = publish(TelemetryEncoding.topic(identity, message), message.body());
        return new Ack() {
            @Override
            public boolean isDone() {
                return token.isComplete();
            }

            @Override
            public void await(long timeoutMillis) throws UpstreamException {
                try {
                    token.waitForCompletion(timeoutMillis);
                } catch (MqttException e) {
                    if (e.getReasonCode() == MqttException.REASON_CODE_CLIENT_TIMEOUT) {
                        throw new AckTimeoutException(describe(e));
                    }
                    throw new UpstreamException(describe(e), e);
                }
            }
        };
    }

    @Override
    public void flush() {
        // every publish goes at once
    }

    @Override
    public void discardUnsent() {
        // nothing is held
    }

    @Override
    public Requests.Response twinGet() throws UpstreamException {
        Requests.Pending p = requests.open();
        publish("$iothub/twin/GET/?$rid=" + p.rid, new byte[0]);
        return p.await(settings.operationTimeout(), "twin GET of " + identity);
    }

    @Override
    public Requests.Response patchReported(byte[] patch) throws UpstreamException {
        Requests.Pending p = requests.open();
        publish("$iothub/twin/PATCH/properties/reported/?$rid=" + p.rid, patch);
        return p.await(settings.operationTimeout(), "reported patch of " + identity);
    }

    @Override
    public Requests.Response scope() throws UpstreamException {
        Requests.Pending p = requests.open();
        publish("$gatehouse/scope/GET/?$rid=" + p.rid, new byte[0]);
        return p.await(settings.operationTimeout(), "device scope request");
    }

    /**
     * Subscribes to the leaf's {@code devices/{leaf}/messages/devicebound/#} at QoS 1 on the live
     * connection, and at every connect from now on.
     */
    @Override
    public synchronized boolean receiveCloudToDevice() throws UpstreamException {
        if (!leaf) throw new UpstreamException(identity + " is not a leaf device: it receives no cloud-to-device messages here");
        cloudToDevice = true;
        Live l = live.get();
        if (l == null || !l.connected()) {
            ensureConnected();
            return true;
        }
        if (subscribedToCloudToDevice == l) return true;
        String filter = MqttCloudToDevice.filter(identity.deviceId());
        try {
            IMqttToken sub = l.client.subscribe(filter, 1);
            sub.waitForCompletion(settings.operationTimeout().toMillis());
            int[] granted = sub.getGrantedQos();
            if (granted.length > 0 && granted[0] == 0x80) {
                throw new UpstreamException("the parent refused the subscription " + filter + " of " + identity);
            }
        } catch (MqttException e) {
            throw new UpstreamException(identity + ": " + describe(e), e);
        }
        subscribedToCloudToDevice = l;
        return true;
    }

    /** Publishes at QoS 1; the token completes on PUBACK. */
    private IMqttDeliveryToken publish(String topic, byte[] payload) throws UpstreamException {
        Live l = live.get();
        if (l == null || !l.connected()) throw new UpstreamException("the connection of " + identity + " is down");
        lastUsedNanos = System.nanoTime();
        MqttMessage m = new MqttMessage(payload);
        m.setQos(1);
        try {
            return l.client.publish(topic, m);
        } catch (MqttException e) {
            throw new UpstreamException(identity + ": " + describe(e), e);
        }
    }

    @Override
    public synchronized void close() {
        closeClient();
    }

    private void closeClient() {
        Live l = live.getAndSet(null);
        if (l == null) return;
        l.gone.set(true);
        closeQuietly(l.client);
    }

    private static void closeQuietly(MqttAsyncClient c) {
        try {
            if (c.isConnected()) c.disconnect(0).waitForCompletion(1000);
        } catch (MqttException | RuntimeException e) {
            try {
                c.disconnectForcibly(0, 1, false);
            } catch (MqttException | RuntimeException again) {
                // closing anyway
            }
        }
        try {
            c.close(true);
        } catch (MqttException | RuntimeException e) {
            // nothing more to release
        }
    }

    /** A Paho failure in words a user can act on. */
    static String describe(MqttException e) {
        return switch (e.getReasonCode()) {
            case MqttException.REASON_CODE_NOT_AUTHORIZED ->
                    "the parent refused the connection: not authorized (does it know this identity yet?)";
            case MqttException.REASON_CODE_FAILED_AUTHENTICATION ->
                    "the parent refused the connection: bad user name or password (token)";
            case MqttException.REASON_CODE_INVALID_CLIENT_ID -> "the parent refused the client id";
            case MqttException.REASON_CODE_BROKER_UNAVAILABLE -> "the parent is unavailable";
            case MqttException.REASON_CODE_CLIENT_TIMEOUT -> "timed out waiting for the parent";
            case MqttException.REASON_CODE_CONNECTION_LOST -> "connection lost";
            default -> {
                Throwable cause = e.getCause();
                String text = e.getMessage() == null || e.getMessage().equals("MqttException")
                        ? "MQTT error " + e.getReasonCode() : e.getMessage();
                yield cause == null ? text : text + " (" + cause + ")";
            }
        };
    }

    /**
     * One connection, and whether it is gone (closed, lost, dropped): what arrived on it and was not
     * acknowledged yet comes again on the next one, so it is no longer stored.
     */
    private record Live(MqttAsyncClient client, AtomicBoolean gone) {
        boolean connected() {
            return !gone.get() && client.isConnected();
        }
    }
}
