package io.gatehouse.itests.osgi;

import io.gatehouse.api.identity.IdentityId;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * A device or module connected to the hub over MQTT as the Azure IoT SDKs do it: client id = the
 * identity, username {@code {hub}/{id}/?api-version=…}, password a SAS token signed with its key.
 * Remembers whether the connection was ever lost.
 */
final class HubMqttClient implements AutoCloseable {

    private static final long WAIT_MILLIS = 15_000;

    private final MqttAsyncClient client;
    private final AtomicReference<Throwable> connectionLost = new AtomicReference<>();
    private volatile BiConsumer<String, MqttMessage> onMessage = (topic, message) -> { };

    private HubMqttClient(MqttAsyncClient client) {
        this.client = client;
    }

    static HubMqttClient connect(int port, String iotHubHostName, IdentityId id, String base64Key, int maxInflight)
            throws MqttException {
        HubMqttClient hub = new HubMqttClient(
                new MqttAsyncClient("tcp://127.0.0.1:" + port, id.toString(), new MemoryPersistence()));
        hub.client.setCallback(hub.new Callback());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setCleanSession(true);
        options.setAutomaticReconnect(false);
        options.setKeepAliveInterval(30);
        options.setConnectionTimeout(10);
        options.setMaxInflight(maxInflight);
        options.setUserName(iotHubHostName + "/" + id + "/?api-version=2021-04-12");
        options.setPassword(sasToken(iotHubHostName, id, base64Key, 3600).toCharArray());
        hub.client.connect(options).waitForCompletion(WAIT_MILLIS);
        return hub;
    }

    /** {@code SharedAccessSignature sr=…&sig=…&se=…} for the identity's resource on {@code host}. */
    static String sasToken(String host, IdentityId id, String base64Key, long validSeconds) {
        String resource = host + "/devices/" + id.deviceId() + (id.isModule() ? "/modules/" + id.moduleId() : "");
        String sr = URLEncoder.encode(resource, StandardCharsets.UTF_8);
        long se = Instant.now().getEpochSecond() + validSeconds;
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(Base64.getDecoder().decode(base64Key), "HmacSHA256"));
            String sig = Base64.getEncoder().encodeToString(mac.doFinal((sr + "\n" + se).getBytes(StandardCharsets.UTF_8)));
            return "SharedAccessSignature sr=" + sr + "&sig=" + URLEncoder.encode(sig, StandardCharsets.UTF_8) + "&se=" + se;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    MqttAsyncClient paho() {
        return client;
    }

    void onMessage(BiConsumer<String, MqttMessage> handler) {
        onMessage = handler;
    }

    /** @return the QoS the hub granted */
    int subscribe(String filter, int qos) throws MqttException {
        var token = client.subscribe(filter, qos);
        token.waitForCompletion(WAIT_MILLIS);
        return token.getGrantedQos()[0];
    }

    /** Why the connection was lost, or null when it never was. */
    Throwable connectionLost() {
        return connectionLost.get();
    }

    boolean isConnected() {
        return client.isConnected();
    }

    @Override
    public void close() {
        try {
            if (client.isConnected()) client.disconnect().waitForCompletion(WAIT_MILLIS);
        } catch (MqttException e) {
            // closing anyway
        }
        try {
            client.close(true);
        } catch (MqttException e) {
            // nothing left to release
        }
    }

    private final class Callback implements MqttCallback {
        @Override
        public void connectionLost(Throwable cause) {
            connectionLost.compareAndSet(null, cause == null ? new IllegalStateException("connection lost") : cause);
            System.out.println("[itest] " + client.getClientId() + " lost its connection: " + cause);
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            onMessage.accept(topic, message);
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {
        }
    }
}
