package io.gatehouse.broker.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.api.identity.Authenticator;
import io.gatehouse.api.message.SystemProperties;
import io.gatehouse.api.route.EndpointIds;
import io.gatehouse.api.route.MessageRouter;
import io.gatehouse.api.route.RouteTarget;
import io.gatehouse.api.store.DeadLetter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * Retries and dead letters of module input delivery, end to end with real Paho clients: a module
 * that withholds its PUBACK (manual acks), a module that reconnects, messages that cannot be
 * rendered for the module, and a store that fails. The head runs with a 1 s ack timeout.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ModuleInputRetryTest {
    private static final String HOST = "hub.example.net";
    private static final String INPUT = EndpointIds.moduleInput("edge1", "sink", "in1");
    private static final String INPUTS_FILTER = "devices/edge1/modules/sink/inputs/#";
    private static final String TELEMETRY = "devices/dev1/messages/events/";

    private static final Authenticator AUTH = new TokenAuthenticator();

    /** Device telemetry goes to edge1/sink input "in1", with the TTL its property "ttl" gives (none without). */
    private static final MessageRouter ROUTER = m -> m.systemProperty(SystemProperties.CONNECTION_MODULE_ID) == null
            ? List.of(new RouteTarget(INPUT, 0, Long.parseLong(m.properties().getOrDefault("ttl", "-1"))))
            : List.of();

    @TempDir
    static Path state;
    private final MqttHead head = new MqttHead();
    private final List<MqttClient> clients = new ArrayList<>();
    private InMemoryStore store;
    private int port;

    /** A publish as the module saw it. */
    record Arrival(String topic, String body, int id, boolean dup, long atNanos) {
    }

    @BeforeAll
    void startHead() throws Exception {
        head.bindAuthenticator(AUTH);
        head.bindRouter(ROUTER);
        head.activate(Configs.of(MqttHead.Config.class, Map.of("port", 0, "stateDirectory", state.toString(),
                "moduleAckTimeoutSecs", 1)));
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
    }

    @AfterEach
    void closeClientsAndStore() {
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

    private MqttClient client(String identity) throws MqttException {
        MqttClient c = new MqttClient("tcp://127.0.0.1:" + port, identity, new MemoryPersistence());
        clients.add(c);
        return c;
    }

    private MqttConnectOptions options(String identity) {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setUserName(HOST + "/" + identity + "/?api-version=2021-04-12");
        o.setPassword(("token-" + identity).toCharArray());
        o.setCleanSession(true);
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        return o;
    }

    /**
     * The sink module, subscribed to its inputs. With {@code manualAcks} it sends a PUBACK only
     * when the test calls {@code messageArrivedComplete}.
     */
    private MqttClient module(BlockingQueue<Arrival> arrivals, boolean manualAcks) throws MqttException {
        MqttClient c = client("edge1/sink");
        c.setManualAcks(manualAcks);
        c.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                arrivals.add(new Arrival(topic, new String(message.getPayload(), StandardCharsets.UTF_8),
                        message.getId(), message.isDuplicate(), System.nanoTime()));
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        c.connect(options("edge1/sink"));
        c.subscribe(INPUTS_FILTER, 1);
        return c;
    }

    private MqttClient device() throws MqttException {
        MqttClient c = client("dev1");
        c.connect(options("dev1"));
        return c;
    }

    private static Arrival next(BlockingQueue<Arrival> arrivals) throws InterruptedException {
        Arrival a = arrivals.poll(20, TimeUnit.SECONDS);
        assertThat(a).as("a publish reached the module").isNotNull();
        return a;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting until " + what);
            Thread.sleep(20);
        }
    }

    private static long millisBetween(Arrival a, Arrival b) {
        return TimeUnit.NANOSECONDS.toMillis(b.atNanos() - a.atNanos());
    }

    @Test
    void aModuleThatWithholdsItsPubackGetsTheMessageAgainWithDupAndTheSameIdUntilItAcknowledges() throws Exception {
        BlockingQueue<Arrival> arrivals = new LinkedBlockingQueue<>();
        MqttClient module = module(arrivals, true);
        device().publish(TELEMETRY, "a".getBytes(StandardCharsets.UTF_8), 1, false);

        Arrival first = next(arrivals);
        Arrival second = next(arrivals);
        Arrival third = next(arrivals);
        assertThat(first.dup()).isFalse();
        assertThat(List.of(second, third)).allSatisfy(a -> {
            assertThat(a.dup()).isTrue();
            assertThat(a.id()).isEqualTo(first.id());
            assertThat(a.body()).isEqualTo("a");
            assertThat(a.topic()).isEqualTo(first.topic());
        });
        // each resend waits for the 1 s ack timeout and then the backoff: 1 s, then at least 1.8 s
        assertThat(millisBetween(first, second)).isGreaterThanOrEqualTo(1900);
        assertThat(millisBetween(second, third)).isGreaterThanOrEqualTo(2700);
        assertThat(store.isSettled(0)).as("unacknowledged, so still in the queue").isFalse();

        module.messageArrivedComplete(third.id(), 1);
        await(() -> store.isAcknowledged(0), "the PUBACK settles the stored message");
        assertThat(module.isConnected()).isTrue();
    }

    @Test
    void aMessageWhoseTimeToLiveRunsOutWhileTheModuleWithholdsItsPubackIsDroppedNotSentAgain() throws Exception {
        BlockingQueue<Arrival> arrivals = new LinkedBlockingQueue<>();
        MqttClient module = module(arrivals, true);
        device().publish(TELEMETRY + "ttl=1", "short".getBytes(StandardCharsets.UTF_8), 1, false);

        Arrival first = next(arrivals);
        assertThat(first.body()).isEqualTo("short");
        // the resend would come 1 s (ack timeout) + 1 s (backoff) later: past the 1 s TTL
        await(() -> store.isExpired(0), "the overdue message is dropped as expired");
        assertThat(arrivals.poll(3, TimeUnit.SECONDS)).as("no resend of an expired message").isNull();
        assertThat(store.isAcknowledged(0)).isFalse();

        module.messageArrivedComplete(first.id(), 1); // a late PUBACK settles nothing else
        device().publish(TELEMETRY, "next".getBytes(StandardCharsets.UTF_8), 1, false);
        Arrival next = next(arrivals);
        assertThat(next.body()).isEqualTo("next");
        assertThat(next.dup()).isFalse();
        module.messageArrivedComplete(next.id(), 1);
        await(() -> store.isAcknowledged(1), "the next message is delivered and acknowledged");
        assertThat(store.isAcknowledged(0)).isFalse();
    }

    @Test
    void aModuleThatReconnectsIsServedAtOnceThoughItsOldConnectionHadALongBackoffArmed() throws Exception {
        BlockingQueue<Arrival> arrivals = new LinkedBlockingQueue<>();
        MqttClient stubborn = module(arrivals, true);
        device().publish(TELEMETRY, "a".getBytes(StandardCharsets.UTF_8), 1, false);
        List<Arrival> seen = new ArrayList<>();
        for (int i = 0; i < 4; i++) seen.add(next(arrivals));
        // the third resend came after at least 1 s + (1 + 3 * 0.8) s: the failures did accumulate
        assertThat(millisBetween(seen.get(2), seen.get(3))).isGreaterThanOrEqualTo(4200);
        // once the fourth send times out (1 s), the next resend waits at least 1 + 7 * 0.8 = 6.6 s:
        // it cannot come before the fourth send + 7.6 s
        Thread.sleep(1500);
        long armedRetryEarliest = seen.get(3).atNanos() + TimeUnit.MILLISECONDS.toNanos(7600);
        stubborn.disconnect();
        stubborn.close();

        BlockingQueue<Arrival> again = new LinkedBlockingQueue<>();
        MqttClient reconnected = module(again, true);
        Arrival backlog = next(again);
        assertThat(backlog.body()).isEqualTo("a");
        assertThat(backlog.atNanos()).as("served before the old armed retry could have fired")
                .isLessThan(armedRetryEarliest - TimeUnit.MILLISECONDS.toNanos(1500));
        reconnected.messageArrivedComplete(backlog.id(), 1);
        await(() -> store.isAcknowledged(0), "the new connection's PUBACK settles the message");
    }

    /**
     * The device's own topic is 29 bytes + "big=" + 30 000 '*' = 30 033 bytes, within MQTT's 65 535,
     * and the hub takes '*' raw; re-encoded for the module every '*' becomes "%2A", so the module's
     * topic is over 90 000 bytes and no valid PUBLISH can carry it.
     */
    private static String oversizedForTheModule() {
        return TELEMETRY + "big=" + "*".repeat(30_000);
    }

    @Test
    void aMessageWhoseModuleTopicWouldExceedMqttsLimitIsDeadLetteredAndTheNextIsDelivered() throws Exception {
        assertThat(oversizedForTheModule().getBytes(StandardCharsets.UTF_8).length).isLessThan(65_535);
        BlockingQueue<Arrival> arrivals = new LinkedBlockingQueue<>();
        MqttClient module = module(arrivals, false);
        MqttClient device = device();
        device.publish(oversizedForTheModule(), "too-big-topic".getBytes(StandardCharsets.UTF_8), 1, false);
        device.publish(TELEMETRY + "n=1", "next".getBytes(StandardCharsets.UTF_8), 1, false);

        Arrival arrived = next(arrivals);
        assertThat(arrived.body()).isEqualTo("next");
        await(() -> store.isAcknowledged(1), "the next message is acknowledged");
        List<DeadLetter> dead = store.deadLetters(INPUT, 10);
        assertThat(dead).singleElement().satisfies(d -> {
            assertThat(new String(d.message().body(), StandardCharsets.UTF_8)).isEqualTo("too-big-topic");
            assertThat(d.reason()).contains("65535");
            assertThat(d.endpointId()).isEqualTo(INPUT);
        });
        assertThat(store.isSettled(0)).isTrue();
        assertThat(store.isAcknowledged(0)).as("dead-lettered, not delivered").isFalse();
        assertThat(arrivals.poll(300, TimeUnit.MILLISECONDS)).isNull();
        assertThat(module.isConnected()).isTrue();
    }

    @Test
    void aDeadLetterTheStoreCannotTakeYetStaysUnsettledIsRetriedAndDoesNotBlockTheQueue() throws Exception {
        store.refuseNextDeadLetters(1);
        BlockingQueue<Arrival> arrivals = new LinkedBlockingQueue<>();
        module(arrivals, false);
        MqttClient device = device();
        device.publish(oversizedForTheModule(), "too-big-topic".getBytes(StandardCharsets.UTF_8), 1, false);
        device.publish(TELEMETRY, "next".getBytes(StandardCharsets.UTF_8), 1, false);

        assertThat(next(arrivals).body()).isEqualTo("next");
        await(() -> store.deadLetters(INPUT, 10).size() == 1, "the refused message is dead-lettered on a retry");
        assertThat(store.refusedDeadLetters()).as("the first attempt was refused").isEqualTo(1);
        assertThat(store.isSettled(0)).isTrue();
        await(() -> store.isAcknowledged(1), "the next message is acknowledged");
    }

    @Test
    void aStoreThatFailsToHandOutAMessageIsAskedAgainAfterTheBackoff() throws Exception {
        store.failNextPolls(1);
        BlockingQueue<Arrival> arrivals = new LinkedBlockingQueue<>();
        MqttClient module = module(arrivals, false);
        device().publish(TELEMETRY, "a".getBytes(StandardCharsets.UTF_8), 1, false);
        assertThat(next(arrivals).body()).isEqualTo("a");
        assertThat(store.failedPolls()).isEqualTo(1);
        await(() -> store.isAcknowledged(0), "the message is acknowledged");
        assertThat(module.isConnected()).isTrue();
    }

    @Test
    void anAckTimeoutBelowOneSecondIsRefusedAtActivation() {
        MqttHead other = new MqttHead();
        assertThatThrownBy(() -> other.activate(Configs.of(MqttHead.Config.class, Map.of("port", 0,
                "stateDirectory", state.resolve("other").toString(), "moduleAckTimeoutSecs", 0))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("moduleAckTimeoutSecs must be at least 1, was 0");
        assertThat(state.resolve("other")).as("nothing was set up").doesNotExist();
    }
}
