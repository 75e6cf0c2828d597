package io.gatehouse.broker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.api.message.Message;
import io.gatehouse.api.message.SystemProperties;
import io.gatehouse.api.route.EndpointIds;
import io.gatehouse.api.route.RouteTarget;
import io.gatehouse.api.store.QueueStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cloud-to-device messages through the real head with Paho clients: the store queue
 * {@code $c2d/{d}} is delivered to device d on {@code devices/{d}/messages/devicebound/{bag}} and
 * leaves the queue only on the device's PUBACK.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MqttHeadCloudToDeviceTest {
    private static final String HOST = "hub.example.net";
    private static final String LEAF_QUEUE = EndpointIds.cloudToDevice("leaf");
    private static final String LEAF_FILTER = "devices/leaf/messages/devicebound/#";
    private static final String LEAF_PREFIX = "devices/leaf/messages/devicebound/";
    private static final String LEAF_TO = "%24.to=%2Fdevices%2Fleaf%2Fmessages%2FdeviceBound";

    @TempDir
    static Path state;
    private final MqttHead head = new MqttHead();
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final TestMqttClients clients = new TestMqttClients(HOST);
    private InMemoryStore store;
    private int port;

    record Received(String client, String topic, String body, int qos, int id) {
    }

    @BeforeAll
    void startHead() throws Exception {
        head.bindAuthenticator(new TokenAuthenticator());
        head.activate(Configs.of(MqttHead.Config.class, Map.of("port", 0, "tlsPort", -1,
                "stateDirectory", state.toString())));
        port = head.boundPort();
    }

    @AfterAll
    void stopHead() {
        head.deactivate();
    }

    @BeforeEach
    void freshStore() {
        store = new InMemoryStore();
        head.bindStore(store);
        received.clear();
    }

    @AfterEach
    void closeClients() {
        clients.close();
        head.unbindStore(store);
    }

    /** With manual acks the client sends no PUBACK, as a device that crashes while handling a message. */
    private MqttClient connect(String identity, boolean cleanSession, boolean manualAcks) throws MqttException {
        MqttClient c = new MqttClient("tcp://127.0.0.1:" + port, identity, new MemoryPersistence());
        clients.track(c);
        MqttConnectOptions o = new MqttConnectOptions();
        o.setUserName(HOST + "/" + identity + "/?api-version=2021-04-12");
        o.setPassword(("token-" + identity).toCharArray());
        o.setCleanSession(cleanSession);
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        c.setManualAcks(manualAcks);
        c.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                received.add(new Received(identity, topic, new String(message.getPayload(), StandardCharsets.UTF_8),
                        message.getQos(), message.getId()));
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        c.connect(o);
        return c;
    }

    private MqttClient connect(String identity) throws MqttException {
        return connect(identity, true, false);
    }

    private void sendToDevice(String deviceId, Message message) throws Exception {
        store.append(message, List.of(new RouteTarget(EndpointIds.cloudToDevice(deviceId), 0, -1)));
    }

    private static Message body(String text) {
        return Message.builder().body(text.getBytes(StandardCharsets.UTF_8)).build();
    }

    private Received next() throws InterruptedException {
        Received r = received.poll(10, TimeUnit.SECONDS);
        assertThat(r).as("a message arrived").isNotNull();
        return r;
    }

    private static void waitUntil(BooleanSupplier condition) throws InterruptedException {
        for (int i = 0; i < 250 && !condition.getAsBoolean(); i++) Thread.sleep(20);
    }

    @Test
    void messagesFromBeforeAndAfterTheSubscriptionArriveInOrderAndEachPubackCompletesOne() throws Exception {
        sendToDevice("leaf", Message.builder().body("first".getBytes(StandardCharsets.UTF_8))
                .property("colour", "deep blue")
                .systemProperty(SystemProperties.MESSAGE_ID, "m1")
                .systemProperty(SystemProperties.CORRELATION_ID, "c1")
                .systemProperty(SystemProperties.CONTENT_TYPE, "application/json")
                .systemProperty(SystemProperties.CONTENT_ENCODING, "utf-8")
                .systemProperty(SystemProperties.EXPIRY_TIME, "2030-01-01T00:00:00Z")
                .systemProperty(SystemProperties.ACK, "full")
                .systemProperty(SystemProperties.TO, "/somewhere/else")
                .systemProperty(SystemProperties.CONNECTION_DEVICE_ID, "not-sent")
                .build());
        MqttClient leaf = connect("leaf");
        assertThat(leaf.subscribeWithResponse(new String[] {LEAF_FILTER}, new int[] {1}).getGrantedQos()).containsExactly(1);
        Received first = next();
        assertThat(first.body()).isEqualTo("first");
        assertThat(first.qos()).isEqualTo(1);
        assertThat(first.topic()).isEqualTo(LEAF_PREFIX + "%24.mid=m1&" + LEAF_TO + "&%24.cid=c1&%24.ct=application%2Fjson"
                + "&%24.ce=utf-8&%24.exp=2030-01-01T00%3A00%3A00Z&iothub-ack=full&colour=deep%20blue");

        sendToDevice("leaf", Message.builder().body("second".getBytes(StandardCharsets.UTF_8))
                .systemProperty(SystemProperties.MESSAGE_ID, "m2").build());
        sendToDevice("leaf", body("third"));
        Received second = next();
        Received third = next();
        assertThat(second.body()).isEqualTo("second");
        assertThat(second.topic()).isEqualTo(LEAF_PREFIX + "%24.mid=m2&" + LEAF_TO);
        assertThat(third.body()).isEqualTo("third");
        assertThat(third.topic()).isEqualTo(LEAF_PREFIX + LEAF_TO);

        waitUntil(() -> store.pending(LEAF_QUEUE) == 0);
        assertThat(store.pending(LEAF_QUEUE)).as("every PUBACK completed its message").isZero();
        assertThat(store.queues()).singleElement().extracting(QueueStatus::delivered).isEqualTo(3L);
        assertThat(leaf.isConnected()).isTrue();
    }

    @Test
    void aMessageTheDeviceDidNotAcknowledgeComesAgainOnItsNextConnection() throws Exception {
        MqttClient crashing = connect("leaf", true, true);
        crashing.subscribe(LEAF_FILTER, 1);
        sendToDevice("leaf", body("unacked"));
        assertThat(next().body()).isEqualTo("unacked");
        Thread.sleep(200);
        assertThat(store.pending(LEAF_QUEUE)).as("no PUBACK, still in the queue").isEqualTo(1);
        crashing.disconnectForcibly(100, 100);

        MqttClient again = connect("leaf");
        again.subscribe(LEAF_FILTER, 1);
        Received r = next();
        assertThat(r.body()).isEqualTo("unacked");
        assertThat(r.topic()).isEqualTo(LEAF_PREFIX + LEAF_TO);
        waitUntil(() -> store.pending(LEAF_QUEUE) == 0);
        assertThat(store.pending(LEAF_QUEUE)).isZero();
    }

    @Test
    void aPersistentSessionResumesDeliveryWithoutSubscribingAgainAndACleanSessionDropsIt() throws Exception {
        MqttClient first = connect("leaf", false, false);
        first.subscribe(LEAF_FILTER, 1);
        first.disconnect();
        sendToDevice("leaf", body("while-away"));
        assertThat(received.poll(200, TimeUnit.MILLISECONDS)).isNull();

        connect("leaf", false, false); // replaces nothing: the first one is gone
        assertThat(next().body()).isEqualTo("while-away");
        waitUntil(() -> store.pending(LEAF_QUEUE) == 0);

        connect("leaf", true, false); // a clean session ends the persistent one, subscription included
        sendToDevice("leaf", body("after-clean"));
        connect("leaf", false, false);
        assertThat(received.poll(300, TimeUnit.MILLISECONDS)).as("no subscription any more").isNull();
        assertThat(store.pending(LEAF_QUEUE)).isEqualTo(1);
    }

    @Test
    void unsubscribingStopsDeliveryAndLeavesTheMessagesQueued() throws Exception {
        MqttClient leaf = connect("leaf");
        leaf.subscribe(LEAF_FILTER, 1);
        leaf.unsubscribe(LEAF_FILTER);
        sendToDevice("leaf", body("later"));
        assertThat(received.poll(300, TimeUnit.MILLISECONDS)).isNull();
        assertThat(store.pending(LEAF_QUEUE)).isEqualTo(1);
        assertThat(leaf.isConnected()).isTrue();
    }

    @Test
    void aModuleGetsNoCloudToDeviceMessages() throws Exception {
        MqttClient module = connect("edge1/sink");
        // its own form is granted so that SDKs asking for it open, but nothing comes on it
        assertThat(module.subscribeWithResponse(new String[] {"devices/edge1/modules/sink/messages/devicebound/#",
                "devices/edge1/messages/devicebound/#"}, new int[] {1, 1}).getGrantedQos()).containsExactly(1, 0x80);
        sendToDevice("edge1", body("for the device"));
        assertThat(received.poll(300, TimeUnit.MILLISECONDS)).isNull();
        assertThat(store.pending(EndpointIds.cloudToDevice("edge1"))).isEqualTo(1);
        assertThat(module.isConnected()).isTrue();
    }

    @Test
    void aDeviceSubscribingAnotherDevicesMessagesGetsNothing() throws Exception {
        MqttClient other = connect("dev2");
        assertThat(other.subscribeWithResponse(new String[] {LEAF_FILTER}, new int[] {1}).getGrantedQos())
                .containsExactly(0x80);
        sendToDevice("leaf", body("for leaf only"));
        sendToDevice("dev2", body("for dev2"));
        other.subscribe("devices/dev2/messages/devicebound/#", 1);
        Received r = next();
        assertThat(r.body()).isEqualTo("for dev2");
        assertThat(r.topic()).startsWith("devices/dev2/messages/devicebound/");
        assertThat(received.poll(300, TimeUnit.MILLISECONDS)).isNull();
        assertThat(store.pending(LEAF_QUEUE)).isEqualTo(1);
    }
}
