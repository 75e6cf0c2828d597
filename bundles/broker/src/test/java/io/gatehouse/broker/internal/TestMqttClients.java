package io.gatehouse.broker.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/** Paho clients of the head on loopback, as the IoT Hub SDKs connect; all closed together after a test. */
final class TestMqttClients implements AutoCloseable {
    private final String hubHostName;
    private final List<MqttClient> clients = new ArrayList<>();

    TestMqttClients(String hubHostName) {
        this.hubHostName = hubHostName;
    }

    /**
     * Connects {@code identity} (clean session, password {@code token-<identity>}, which the tests'
     * authenticator accepts) and subscribes it to {@code filters} at QoS 0; every message it
     * receives goes to {@code inbox} as (topic, UTF-8 body).
     */
    MqttClient connect(int port, String identity, BiConsumer<String, String> inbox, String... filters)
            throws MqttException {
        MqttClient c = new MqttClient("tcp://127.0.0.1:" + port, identity, new MemoryPersistence());
        clients.add(c);
        MqttConnectOptions o = new MqttConnectOptions();
        o.setUserName(hubHostName + "/" + identity + "/?api-version=2021-04-12");
        o.setPassword(("token-" + identity).toCharArray());
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        c.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                inbox.accept(topic, new String(message.getPayload(), StandardCharsets.UTF_8));
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        c.connect(o);
        for (String f : filters) c.subscribe(f, 0);
        return c;
    }

    /** Closes {@code client} with the others after the test (a client made with options of its own). */
    MqttClient track(MqttClient client) {
        clients.add(client);
        return client;
    }

    @Override
    public void close() {
        for (MqttClient c : clients) {
            try {
                if (c.isConnected()) c.disconnectForcibly(100, 100);
                c.close(true);
            } catch (MqttException ignored) {
                // already gone
            }
        }
        clients.clear();
    }
}
