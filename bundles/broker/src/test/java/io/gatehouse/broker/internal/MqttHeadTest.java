package io.gatehouse.broker.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.api.identity.Authenticator;
import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.message.SystemProperties;
import io.gatehouse.api.route.EndpointIds;
import io.gatehouse.api.route.MessageRouter;
import io.gatehouse.api.route.RouteTarget;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
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

/** The head with a real MQTT client (Paho) on a real socket; router and store are small in-test ones. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MqttHeadTest {
    private static final String HOST = "hub.example.net";

    @TempDir
    static Path state;
    private InMemoryStore store;
    private final MqttHead head = new MqttHead();
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final List<MqttClient> clients = new java.util.ArrayList<>();
    private int port;

    record Received(String topic, String body) {
    }

    /** Accepts "token-{identity}" so the head's CONNECT handling is tested apart from SAS crypto. */
    private static final Authenticator AUTH = new TokenAuthenticator();

    /** Routes device telemetry to edge1/sink input "in1", other telemetry nowhere. */
    private static final MessageRouter ROUTER = m -> m.systemProperty(SystemProperties.CONNECTION_MODULE_ID) == null
            ? List.of(new RouteTarget(EndpointIds.moduleInput("edge1", "sink", "in1"), 0, -1))
            : List.of();

    /** One head for the class: starting and stopping the embedded Moquette costs seconds. */
    @BeforeAll
    void startHead() throws Exception {
        head.bindAuthenticator(AUTH);
        head.bindRouter(ROUTER);
        head.activate(Configs.of(MqttHead.Config.class, Map.of("port", 0, "stateDirectory", state.toString(),
                "serviceWaitMillis", 2000L)));
        port = head.boundPort();
    }

    @AfterAll
    void stopHead() {
        head.deactivate();
    }

    /** A fresh store per test, bound as a store bundle update would bind it. */
    @BeforeEach
    void freshStore() {
        store = new InMemoryStore();
        head.bindStore(store);
        received.clear();
    }

    @AfterEach
    void closeClientsAndStore() {
        store.releaseAppends();
        for (MqttClient c : clients) {
            try {
                if (c.isConnected()) c.disconnectForcibly(100, 100);
                c.close(true);
            } catch (MqttException ignored) {
                // already gone
            }
        }
        clients.clear();
        head.unbindStore(store);
    }

    private MqttClient connect(String identity, String token, boolean cleanSession) throws MqttException {
        MqttClient c = new MqttClient("tcp://127.0.0.1:" + port, identity, new MemoryPersistence());
        clients.add(c);
        MqttConnectOptions o = new MqttConnectOptions();
        o.setUserName(HOST + "/" + identity + "/?api-version=2021-04-12");
        if (token != null) o.setPassword(token.toCharArray());
        o.setCleanSession(cleanSession);
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        c.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                received.add(new Received(topic, new String(message.getPayload(), StandardCharsets.UTF_8)));
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        c.connect(o);
        return c;
    }

    private MqttClient connect(String identity) throws MqttException {
        return connect(identity, "token-" + identity, true);
    }

    private static int refusalCode(ThrowingRunnable r) {
        try {
            r.run();
        } catch (MqttException e) {
            return e.getReasonCode();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("connection was accepted");
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void refusesAnonymousForgedAndMismatchedClients() {
        assertThat(refusalCode(() -> connect("dev1", null, true)))
                .isEqualTo(MqttException.REASON_CODE_NOT_AUTHORIZED);
        assertThat(refusalCode(() -> connect("dev1", "forged", true)))
                .isEqualTo(MqttException.REASON_CODE_NOT_AUTHORIZED);
        assertThat(refusalCode(() -> {
            MqttClient c = new MqttClient("tcp://127.0.0.1:" + port, "dev2", new MemoryPersistence());
            MqttConnectOptions o = new MqttConnectOptions();
            o.setUserName(HOST + "/dev1/?api-version=2021-04-12"); // username names another identity
            o.setPassword("token-dev1".toCharArray());
            c.connect(o);
        })).isEqualTo(MqttException.REASON_CODE_INVALID_CLIENT_ID);
        assertThat(refusalCode(() -> {
            MqttClient c = new MqttClient("tcp://127.0.0.1:" + port, "dev1", new MemoryPersistence());
            MqttConnectOptions o = new MqttConnectOptions();
            o.setUserName(HOST + "/dev1/"); // no api-version
            o.setPassword("token-dev1".toCharArray());
            c.connect(o);
        })).isEqualTo(MqttException.REASON_CODE_FAILED_AUTHENTICATION);
    }

    @Test
    void deviceTelemetryReachesTheModuleInputWithPropertiesAndIdentityStampedByTheHub() throws Exception {
        MqttClient module = connect("edge1/sink");
        module.subscribe("devices/edge1/modules/sink/inputs/#", 1);
        MqttClient device = connect("dev1");
        // the device claims another identity in $.cdid: the hub must ignore it
        device.publish("devices/dev1/messages/events/$.ct=application%2Fjson&$.ce=utf-8&$.cdid=evil&line=3",
                "{\"t\":1}".getBytes(StandardCharsets.UTF_8), 1, false);
        Received r = received.poll(10, TimeUnit.SECONDS);
        assertThat(r).isNotNull();
        assertThat(r.body()).isEqualTo("{\"t\":1}");
        assertThat(r.topic()).startsWith("devices/edge1/modules/sink/inputs/in1/")
                .contains("line=3").contains("%24.ct=application%2Fjson").contains("%24.cdid=dev1")
                .doesNotContain("evil");
        assertThat(store.appended()).isEqualTo(1);
        // the module's PUBACK acknowledges the stored message
        for (int i = 0; i < 50 && !store.isAcknowledged(0); i++) Thread.sleep(20);
        assertThat(store.isAcknowledged(0)).isTrue();
        device.disconnect();
        module.disconnect();
    }

    @Test
    void aSlashAfterThePropertyBagDoesNotEndTheLastValue() throws Exception {
        // the Azure IoT Java SDK's ModuleClient ends its telemetry topics with "/" after the bag
        MqttClient module = connect("edge1/sink");
        module.subscribe("devices/edge1/modules/sink/inputs/#", 1);
        connect("dev1").publish("devices/dev1/messages/events/$.ce=utf-8&$.ct=application%2Fjson/",
                "{\"t\":2}".getBytes(StandardCharsets.UTF_8), 1, false);
        Received r = received.poll(10, TimeUnit.SECONDS);
        assertThat(r).isNotNull();
        assertThat(r.topic()).matches(".*%24\\.ct=application%2Fjson(&.*)?").doesNotContain("json%2F");
    }

    @Test
    void aMessageTheModuleDidNotAcknowledgeStaysInTheQueueAndComesAgain() throws Exception {
        MqttClient module = new MqttClient("tcp://127.0.0.1:" + port, "edge1/sink", new MemoryPersistence());
        clients.add(module);
        MqttConnectOptions o = new MqttConnectOptions();
        o.setUserName(HOST + "/edge1/sink/?api-version=2021-04-12");
        o.setPassword("token-edge1/sink".toCharArray());
        java.util.concurrent.CountDownLatch arrived = new java.util.concurrent.CountDownLatch(1);
        module.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                arrived.countDown();
                throw new IllegalStateException("module crashes before its PUBACK");
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        module.connect(o);
        module.subscribe("devices/edge1/modules/sink/inputs/#", 1);
        connect("dev1").publish("devices/dev1/messages/events/", "unacked".getBytes(StandardCharsets.UTF_8), 1, false);
        assertThat(arrived.await(10, TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < 100 && module.isConnected(); i++) Thread.sleep(20);
        assertThat(store.isAcknowledged(0)).as("left the queue without the module's PUBACK").isFalse();

        MqttClient again = connect("edge1/sink");
        again.subscribe("devices/edge1/modules/sink/inputs/#", 1);
        Received r = received.poll(10, TimeUnit.SECONDS);
        assertThat(r).isNotNull();
        assertThat(r.body()).isEqualTo("unacked");
        for (int i = 0; i < 100 && !store.isAcknowledged(0); i++) Thread.sleep(20);
        assertThat(store.isAcknowledged(0)).isTrue();
    }

    @Test
    void garbageOnTheWireClosesThatConnectionAndTheHubServesOthers() throws Exception {
        try (java.net.Socket raw = new java.net.Socket("127.0.0.1", port)) {
            raw.setSoTimeout(5000);
            raw.getOutputStream().write(new byte[] {(byte) 0xF0, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 1, 2, 3});
            raw.getOutputStream().flush();
            assertThat(raw.getInputStream().read()).as("connection closed").isEqualTo(-1);
        }
        MqttClient device = connect("dev1");
        device.publish("devices/dev1/messages/events/", "still-serving".getBytes(StandardCharsets.UTF_8), 1, false);
        assertThat(store.appended()).isEqualTo(1);
    }

    @Test
    void pubackWaitsUntilTheMessageIsStored() throws Exception {
        MqttClient device = connect("dev1");
        store.holdAppends();
        var token = device.getTopic("devices/dev1/messages/events/").publish(
                new MqttMessage("held".getBytes(StandardCharsets.UTF_8)));
        // while the store has not persisted, no PUBACK may arrive
        assertThat(token.isComplete()).isFalse();
        Thread.sleep(300);
        assertThat(token.isComplete()).as("PUBACK before persistence").isFalse();
        assertThat(store.appended()).isZero();
        store.releaseAppends();
        token.waitForCompletion(5000);
        assertThat(token.isComplete()).isTrue();
        assertThat(store.appended()).isEqualTo(1);
        device.disconnect();
    }

    @Test
    void aStoreReplacedUnderAnAppendHandsTheMessageToItsSuccessorAndKeepsTheConnection() throws Exception {
        MqttClient device = connect("dev1");
        store.holdAppends();
        var token = device.getTopic("devices/dev1/messages/events/").publish(
                new MqttMessage("during-update".getBytes(StandardCharsets.UTF_8)));
        for (int i = 0; i < 250 && store.appendsWaiting() == 0; i++) Thread.sleep(20);
        assertThat(store.appendsWaiting()).isEqualTo(1);
        // the store bundle is updated: the service goes away, the old store closes under the append
        head.unbindStore(store);
        InMemoryStore successor = new InMemoryStore();
        head.bindStore(successor);
        InMemoryStore replaced = store;
        store = successor; // unbound after the test
        replaced.closeUnderAppends("queue is closed");
        replaced.releaseAppends();
        token.waitForCompletion(5000);
        assertThat(token.isComplete()).isTrue();
        assertThat(successor.appended()).isEqualTo(1);
        assertThat(device.isConnected()).isTrue();
        device.disconnect();
    }

    @Test
    void aStoreThatFailsWhileInServiceIsNotAcknowledgedAndTheClientIsDisconnected() throws Exception {
        MqttClient device = connect("dev1");
        store.closeUnderAppends("disk full");
        assertThatThrownBy(() -> device.publish("devices/dev1/messages/events/", new byte[] {1}, 1, false))
                .isInstanceOf(MqttException.class);
        assertThat(device.isConnected()).isFalse();
        assertThat(store.appended()).isZero();
    }

    @Test
    void aClientMayNotPublishOnAnotherIdentitysTopic() throws Exception {
        MqttClient device = connect("dev1");
        assertThatThrownBy(() -> device.publish("devices/dev2/messages/events/", new byte[] {1}, 1, false))
                .isInstanceOf(MqttException.class);
        assertThat(device.isConnected()).isFalse();
        assertThat(store.appended()).isZero();
    }

    @Test
    void aClientMayNotSubscribeToAnotherModulesInputs() throws Exception {
        MqttClient other = connect("edge1/other");
        int[] granted = other.subscribeWithResponse(new String[] {"devices/edge1/modules/sink/inputs/#"},
                new int[] {1}).getGrantedQos();
        assertThat(granted).containsExactly(0x80);
        other.disconnect();
    }

    @Test
    void userTopicsArePlainPubSubBetweenAuthenticatedClients() throws Exception {
        MqttClient a = connect("dev1");
        MqttClient b = connect("dev2");
        assertThat(b.subscribeWithResponse(new String[] {"plant/+/temp"}, new int[] {1}).getGrantedQos())
                .containsExactly(1);
        a.publish("plant/line1/temp", "21.5".getBytes(StandardCharsets.UTF_8), 1, false);
        Received r = received.poll(10, TimeUnit.SECONDS);
        assertThat(r).isEqualTo(new Received("plant/line1/temp", "21.5"));
        assertThat(store.appended()).as("user topics are not routed").isZero();
        a.disconnect();
        b.disconnect();
    }

    @Test
    void aNewConnectionOfTheSameIdentityReplacesTheOldOne() throws Exception {
        MqttClient first = connect("dev1");
        MqttClient second = connect("dev1");
        for (int i = 0; i < 50 && first.isConnected(); i++) Thread.sleep(20);
        assertThat(first.isConnected()).isFalse();
        assertThat(second.isConnected()).isTrue();
        second.disconnect();
    }

    @Test
    void persistentModuleSessionGetsItsInputsAfterReconnectWithoutSubscribingAgain() throws Exception {
        MqttClient module = connect("edge1/sink", "token-edge1/sink", false);
        module.subscribe("devices/edge1/modules/sink/inputs/#", 1);
        module.disconnect();
        module.close();
        MqttClient device = connect("dev1");
        device.publish("devices/dev1/messages/events/", "while-away".getBytes(StandardCharsets.UTF_8), 1, false);
        assertThat(received.poll(300, TimeUnit.MILLISECONDS)).isNull();
        connect("edge1/sink", "token-edge1/sink", false);
        Received r = received.poll(10, TimeUnit.SECONDS);
        assertThat(r).isNotNull();
        assertThat(r.body()).isEqualTo("while-away");
        assertThat(IdentityId.parse("edge1/sink").isModule()).isTrue();
    }
}
