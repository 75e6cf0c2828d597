package io.gatehouse.itests.system;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/** A device or module connected with the IoT Hub MQTT conventions, through Eclipse Paho. */
final class HubClient implements AutoCloseable {
    record Received(String topic, String body) {
    }

    final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    final MqttClient mqtt;
    volatile Throwable lost;

    HubClient(int port, String identity, String password, boolean cleanSession) throws MqttException {
        this("tcp://127.0.0.1:" + port, null, identity, password, cleanSession);
    }

    /** {@code tls} null: plain TCP; else the socket factory of a TLS connection to {@code serverUri} (ssl://…). */
    HubClient(String serverUri, javax.net.ssl.SSLSocketFactory tls, String identity, String password, boolean cleanSession)
            throws MqttException {
        mqtt = new MqttClient(serverUri, identity, new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        if (tls != null) o.setSocketFactory(tls);
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setUserName(GatehouseProcess.IOTHUB + "/" + identity + "/?api-version=2021-04-12");
        if (password != null) o.setPassword(password.toCharArray());
        o.setCleanSession(cleanSession);
        o.setMaxInflight(1000);
        o.setKeepAliveInterval(60);
        mqtt.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                lost = cause;
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                received.add(new Received(topic, new String(message.getPayload(), StandardCharsets.UTF_8)));
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        mqtt.connect(o);
    }

    static HubClient connect(int port, String identity, String key) throws MqttException {
        return new HubClient(port, identity, SasTokens.create(GatehouseProcess.IOTHUB, identity, key, 3600), true);
    }

    @Override
    public void close() {
        try {
            if (mqtt.isConnected()) mqtt.disconnect(1000);
        } catch (MqttException ignored) {
            // closing anyway
        }
        try {
            mqtt.close(true);
        } catch (MqttException ignored) {
            // already closed
        }
    }
}
