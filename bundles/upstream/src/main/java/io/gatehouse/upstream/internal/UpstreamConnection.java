package io.gatehouse.upstream.internal;

import io.gatehouse.api.identity.IdentityId;
import java.util.List;
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

/**
 * One identity's MQTT connection to the parent (one per identity: the parent keeps only the
 * newest of an identity's connections). Reconnecting is the caller's choice, never automatic, so
 * that each reconnect takes a fresh token. Nothing is kept across connections: the store holds
 * what was not acknowledged.
 */
final class UpstreamConnection {

    interface Listener {
        /** On Paho's thread: must not block nor use the connection synchronously. */
        void messageArrived(UpstreamConnection connection, String topic, byte[] payload);

        /** On Paho's thread, once per established connection that is lost (not on {@link #close}). */
        void connectionLost(UpstreamConnection connection, Throwable cause);
    }

    /** Seconds between MQTT pings, so a dead link is noticed without traffic. */
    static final int KEEP_ALIVE_SECS = 30;
    /** Paho's in-flight limit per connection, far above any window the deliverer keeps. */
    private static final int MAX_INFLIGHT = 1000;

    private final IdentityId identity;
    private final UpstreamSettings settings;
    private final UpstreamCredentials credentials;
    private final SocketFactory socketFactory;
    private final List<String> subscriptions;
    private final Listener listener;
    private volatile MqttAsyncClient client;
    private volatile long lastUsedNanos = System.nanoTime();
    private volatile long connects;

    UpstreamConnection(IdentityId identity, UpstreamSettings settings, UpstreamCredentials credentials,
            SocketFactory socketFactory, List<String> subscriptions, Listener listener) {
        this.identity = identity;
        this.settings = settings;
        this.credentials = credentials;
        this.socketFactory = socketFactory;
        this.subscriptions = List.copyOf(subscriptions);
        this.listener = listener;
    }

    IdentityId identity() {
        return identity;
    }

    boolean isConnected() {
        MqttAsyncClient c = client;
        return c != null && c.isConnected();
    }

    /**
     * How many times it connected: a new value means a new session at the parent, so anything
     * synchronised over the previous one (a twin read at connect) must be done again.
     */
    long connects() {
        return connects;
    }

    /** Nanoseconds since it was last used to send. */
    long idleNanos() {
        return System.nanoTime() - lastUsedNanos;
    }

    /**
     * Connects (and subscribes) unless already connected, within the operation timeout.
     *
     * @throws UpstreamException why not: refused (not authorized, bad token), unreachable, timed out
     */
    synchronized void ensureConnected() throws UpstreamException {
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
        c.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                if (client == c) listener.connectionLost(UpstreamConnection.this, cause);
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                listener.messageArrived(UpstreamConnection.this, topic, message.getPayload());
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
                // completion is read from each publish's token
            }
        });
        long timeout = settings.operationTimeout().toMillis();
        try {
            c.connect(options).waitForCompletion(timeout);
            if (!subscriptions.isEmpty()) {
                String[] filters = subscriptions.toArray(String[]::new);
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
            closeQuietly(c);
            throw new UpstreamException(identity + ": " + describe(e), e);
        } catch (UpstreamException e) {
            closeQuietly(c);
            throw e;
        }
        client = c;
        connects++;
    }

    private MqttConnectOptions options() throws UpstreamException {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setCleanSession(true);
        o.setAutomaticReconnect(false);
        o.setKeepAliveInterval(KEEP_ALIVE_SECS);
        o.setConnectionTimeout((int) Math.max(1, settings.operationTimeout().toSeconds()));
        // The deliverer keeps the window (maxBatchSize); Paho's own limit must never be what refuses a
        // publish: it counts a message until its PUBACK is processed on Paho's threads, which can be after
        // the token completed, so a limit near the window failed publishes ("Too many publishes in
        // progress") and cost a backoff each. The parent reads no more than its maxPendingAcks (1000).
        o.setMaxInflight(MAX_INFLIGHT);
        o.setUserName(credentials.username(identity));
        o.setPassword(credentials.password(identity).toCharArray());
        o.setSocketFactory(socketFactory);
        if (socketFactory instanceof SSLSocketFactory) o.setHttpsHostnameVerificationEnabled(true);
        return o;
    }

    /** Publishes at QoS 1; the token completes on PUBACK. */
    IMqttDeliveryToken publish(String topic, byte[] payload) throws UpstreamException {
        MqttAsyncClient c = client;
        if (c == null || !c.isConnected()) throw new UpstreamException("the connection of " + identity + " is down");
        lastUsedNanos = System.nanoTime();
        MqttMessage m = new MqttMessage(payload);
        m.setQos(1);
        try {
            return c.publish(topic, m);
        } catch (MqttException e) {
            throw new UpstreamException(identity + ": " + describe(e), e);
        }
    }

    synchronized void close() {
        closeClient();
    }

    private void closeClient() {
        MqttAsyncClient c = client;
        client = null;
        if (c != null) closeQuietly(c);
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
}
