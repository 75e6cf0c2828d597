package io.gatehouse.upstream.internal;

import static io.gatehouse.upstream.internal.Fixtures.await;
import static io.gatehouse.upstream.internal.Fixtures.config;
import static io.gatehouse.upstream.internal.Fixtures.message;
import static io.gatehouse.upstream.internal.Fixtures.mqtt;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.api.identity.Identity;
import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.message.Message;
import io.gatehouse.api.message.SystemProperties;
import io.gatehouse.api.store.DeadLetter;
import io.gatehouse.api.store.StoredMessage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Draining {@code $upstream} to a real Mosquitto standing in for the parent. */
class DeliveryTest {
    static Mosquitto mosquitto;
    static Parent parent;
    @TempDir
    Path state;
    private final List<UpstreamComponent> started = new ArrayList<>();

    @BeforeAll
    static void startParent() throws Exception {
        mosquitto = Mosquitto.started();
        parent = Parent.connect(mosquitto.uri());
    }

    @AfterAll
    static void stopParent() throws Exception {
        if (parent != null) parent.close();
        if (mosquitto != null) mosquitto.stop();
    }

    @AfterEach
    void stopUpstreams() {
        started.forEach(UpstreamComponent::deactivate);
    }

    private UpstreamComponent upstream(MemoryStore store, MemoryRegistry registry, HmacSigner signer,
            Map<String, Object> config) {
        UpstreamComponent c = new UpstreamComponent(store, registry, signer, config(config));
        started.add(c);
        return c;
    }

    private static List<String> values(List<Parent.Received> received, String key) {
        List<String> out = new ArrayList<>();
        for (Parent.Received r : received) out.add(bag(r.topic(), key));
        return out;
    }

    /** A value of the property bag after {@code messages/events/}, still URL-encoded. */
    private static String bag(String topic, String key) {
        String events = "/messages/events/";
        String bag = topic.substring(topic.indexOf(events) + events.length());
        for (String pair : bag.split("&")) {
            if (pair.startsWith(key + "=")) return pair.substring(key.length() + 1);
        }
        return null;
    }

    @Test
    void eachSenderGoesOnItsOwnConnectionInStoreOrderAndAcknowledgedMessagesLeaveTheQueue() throws Exception {
        MemoryStore store = new MemoryStore();
        MemoryRegistry registry = new MemoryRegistry()
                .with(new Identity(IdentityId.device("leaf1"), "a2V5", "a2V5", false, "gw1"))
                .with(new Identity(IdentityId.device("child"), "a2V5", "a2V5", true, "gw1"))
                .with(new Identity(IdentityId.device("gleaf"), "a2V5", "a2V5", false, "child"));
        HmacSigner signer = new HmacSigner();
        String[][] senders = {{"gw1", null}, {"gw1", "tempSensor"}, {"leaf1", null}, {"gleaf", null}};
        int perSender = 12;
        for (int i = 0; i < perSender; i++) {
            for (String[] s : senders) {
                store.append(message(s[0], s[1], "m" + i, "{\"n\":" + i + "}").toBuilder()
                        .systemProperty(SystemProperties.OUTPUT_NAME, s[1] == null ? null : "out1")
                        .systemProperty(SystemProperties.CONTENT_TYPE, "application/json")
                        .systemProperty(SystemProperties.CONTENT_ENCODING, "utf-8")
                        .systemProperty(SystemProperties.CREATION_TIME, "2026-01-02T03:04:05Z")
                        .property("seq", Integer.toString(i)).property("unit", "°C & more").build());
            }
        }

        upstream(store, registry, signer, mqtt(mosquitto, "gw1", state));

        await("every message was acknowledged", () -> store.pending() == 0,
                () -> store.pending() + " pending, parent got " + parent.telemetry.size());
        // a PUBACK comes before Mosquitto forwards the message to the parent double
        await("the parent double has every message", () -> parent.telemetry("devices/gw1/").size()
                + parent.telemetry("devices/leaf1/").size() + parent.telemetry("devices/gleaf/").size() >= 4 * perSender);
        List<String> expectedOrder = new ArrayList<>();
        for (int i = 0; i < perSender; i++) expectedOrder.add("m" + i);
        for (String prefix : List.of("devices/gw1/messages/events/", "devices/gw1/modules/tempSensor/messages/events/",
                "devices/leaf1/messages/events/", "devices/gleaf/messages/events/")) {
            assertThat(values(parent.telemetry(prefix), "%24.mid")).as(prefix).isEqualTo(expectedOrder);
        }
        assertThat(store.acknowledged()).isEqualTo(4L * perSender);

        Parent.Received leaf = parent.telemetry("devices/leaf1/messages/events/").get(3);
        assertThat(leaf.topic()).isEqualTo("devices/leaf1/messages/events/%24.mid=m3&%24.ct=application%2Fjson"
                + "&%24.ce=utf-8&%24.ctime=2026-01-02T03%3A04%3A05Z&seq=3&unit=%C2%B0C%20%26%20more");
        assertThat(leaf.payload()).isEqualTo("{\"n\":3}");
        Parent.Received module = parent.telemetry("devices/gw1/modules/tempSensor/messages/events/").get(0);
        assertThat(bag(module.topic(), "%24.on")).isEqualTo("out1");
        assertThat(parent.telemetry).allSatisfy(r -> assertThat(r.topic())
                .doesNotContain("cdid").doesNotContain("cmid").doesNotContain("connection"));

        // who connected as whom: the gateway directly, everyone else on behalf along its chain
        List<String> connects = mosquitto.connectLines();
        assertThat(connects).anySatisfy(l -> assertThat(l).contains(" as gw1 ")
                .contains("u'127.0.0.1/gw1/?api-version=2021-04-12&DeviceClientType=gatehouse-upstream%2F1.0'"));
        assertThat(connects).anySatisfy(l -> assertThat(l).contains(" as leaf1 ")
                .contains("u'127.0.0.1/leaf1/?api-version=2021-04-12&").contains("&auth-chain=leaf1;gw1'"));
        assertThat(connects).anySatisfy(l -> assertThat(l).contains(" as gleaf ")
                .contains("&auth-chain=gleaf;child;gw1'"));
        assertThat(connects).anySatisfy(l -> assertThat(l).contains(" as gw1/tempSensor ")
                .contains("u'127.0.0.1/gw1/tempSensor/?api-version=").contains("&auth-chain=gw1%2FtempSensor;gw1'"));
        // each token is for the sender's audience, signed with this gateway's key
        assertThat(signer.signed).contains(new HmacSigner.Signed("127.0.0.1", IdentityId.device("gleaf"),
                Fixtures.DEVICE_KEY));
        assertThat(signer.signed).allSatisfy(s -> assertThat(s.key()).isEqualTo(Fixtures.DEVICE_KEY));
    }

    @Test
    void messagesTheParentCouldNeverTakeAreDeadLetteredWithAReasonAndTheRestGoesOn() throws Exception {
        MemoryStore store = new MemoryStore();
        store.append(Message.builder().body(new byte[] {1}).systemProperty(SystemProperties.MESSAGE_ID, "anon").build());
        store.append(message("gw2", null, "huge", "x".repeat(TelemetryEncoding.MAX_MESSAGE_BYTES)));
        store.append(message("gw2", null, "late", "{}"), System.currentTimeMillis() - 1);
        store.append(message("gw2", null, "fine", "{}"));

        upstream(store, new MemoryRegistry(), new HmacSigner(), mqtt(mosquitto, "gw2", state));

        await("the queue is settled", () -> store.pending() == 0, store::pending);
        List<DeadLetter> dead = store.deadLetters("$upstream", 10);
        assertThat(dead).extracting(d -> d.message().systemProperty(SystemProperties.MESSAGE_ID))
                .containsExactly("anon", "huge");
        assertThat(dead.get(0).reason()).contains("no connectionDeviceId");
        assertThat(dead.get(1).reason()).contains("over the 262144");
        assertThat(store.expired()).isEqualTo(1);
        await("the valid one arrived", () -> parent.telemetry("devices/gw2/").size() == 1);
        assertThat(values(parent.telemetry("devices/gw2/"), "%24.mid")).containsExactly("fine");
    }

    @Test
    void whileTheParentIsDownMessagesWaitAndAllGoInOrderOnceItIsBack() throws Exception {
        MemoryStore store = new MemoryStore();
        MemoryRegistry registry = new MemoryRegistry()
                .with(new Identity(IdentityId.device("leaf3"), "a2V5", "a2V5", false, "gw3"));
        UpstreamComponent upstream = upstream(store, registry, new HmacSigner(), mqtt(mosquitto, "gw3", state));
        for (int i = 0; i < 3; i++) store.append(message("gw3", null, "before" + i, "{}"));
        await("the first messages went", () -> store.acknowledged() == 3);

        mosquitto.stop();
        await("the link noticed", () -> !upstream.linkUp());
        List<String> expectedOwn = new ArrayList<>(List.of("before0", "before1", "before2"));
        List<String> expectedLeaf = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
            store.append(message("gw3", null, "own" + i, "{}"));
            store.append(message("leaf3", null, "leaf" + i, "{}"));
            expectedOwn.add("own" + i);
            expectedLeaf.add("leaf" + i);
        }
        Thread.sleep(1500);
        assertThat(store.pending()).as("nothing leaves the store while the parent is away").isEqualTo(30);

        mosquitto.start();
        await("everything was acknowledged after the parent came back", () -> store.pending() == 0, store::pending);
        await("the parent double has everything", () -> parent.telemetry("devices/gw3/").size() >= 18
                && parent.telemetry("devices/leaf3/").size() >= 15);
        // at least once: a message may come twice, but never after a later one of its sender
        assertThat(values(parent.telemetry("devices/gw3/"), "%24.mid").stream().distinct().toList())
                .isEqualTo(expectedOwn);
        assertThat(values(parent.telemetry("devices/leaf3/"), "%24.mid").stream().distinct().toList())
                .isEqualTo(expectedLeaf);
    }

    @Test
    void withoutAHostNameThisGatewayIsTheRootAndNothingIsConsumed() throws Exception {
        MemoryStore store = new MemoryStore();
        store.append(message("gw4", null, "stays", "{}"));
        Map<String, Object> root = mqtt(mosquitto, "gw4", state);
        root.put("hostName", "");
        UpstreamComponent upstream = upstream(store, new MemoryRegistry(), new HmacSigner(), root);
        Thread.sleep(300);
        assertThat(upstream.linkUp()).isFalse();
        assertThat(store.consumersOpened()).isZero();
        assertThat(store.pending()).isEqualTo(1);
    }

    @Test
    void anUnknownProtocolOrAMissingKeyKeepsTheGatewayOfflineWithMessagesInTheStore() throws Exception {
        MemoryStore store = new MemoryStore();
        store.append(message("gw5", null, "stays", "{}"));
        Map<String, Object> amqp = mqtt(mosquitto, "gw5", state);
        amqp.put("protocol", "stomp");
        UpstreamComponent upstream = upstream(store, new MemoryRegistry(), new HmacSigner(), amqp);
        Map<String, Object> noKey = mqtt(mosquitto, "gw5", state);
        noKey.remove("deviceKey");
        UpstreamComponent keyless = upstream(store, new MemoryRegistry(), new HmacSigner(), noKey);
        Thread.sleep(300);
        assertThat(upstream.linkUp()).isFalse();
        assertThat(keyless.linkUp()).isFalse();
        assertThat(store.consumersOpened()).isZero();
        assertThat(parent.telemetry("devices/gw5/")).isEmpty();

        // fixed at runtime: it connects with the new settings and sends what waited
        upstream.modified(config(mqtt(mosquitto, "gw5", state)));
        await("the waiting message went", () -> store.pending() == 0);
        await("the parent double has it", () -> !parent.telemetry("devices/gw5/").isEmpty());
        assertThat(values(parent.telemetry("devices/gw5/"), "%24.mid")).containsExactly("stays");
    }

    @Test
    void aConfigurationChangeReconnectsWithoutLosingAMessage() throws Exception {
        MemoryStore store = new MemoryStore();
        UpstreamComponent upstream = upstream(store, new MemoryRegistry(), new HmacSigner(),
                mqtt(mosquitto, "gw6", state));
        List<String> expected = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 20; i++) {
                store.append(message("gw6", null, "r" + round + "-" + i, "{}"));
                expected.add("r" + round + "-" + i);
            }
            Map<String, Object> changed = mqtt(mosquitto, "gw6", state);
            changed.put("maxBatchSize", 3 + round);
            upstream.modified(config(changed));
        }
        await("everything was acknowledged", () -> store.pending() == 0, store::pending);
        await("the parent double has everything", () -> parent.telemetry("devices/gw6/").stream()
                .map(r -> bag(r.topic(), "%24.mid")).distinct().count() == 60);
        assertThat(values(parent.telemetry("devices/gw6/"), "%24.mid").stream().distinct().toList())
                .isEqualTo(expected);
    }

    @Test
    void expiredMessagesAreDroppedNotSent() throws Exception {
        MemoryStore store = new MemoryStore();
        store.append(message("gw7", null, "old", "{}"), System.currentTimeMillis() - 1000);
        store.append(message("gw7", null, "new", "{}"), StoredMessage.NEVER);
        upstream(store, new MemoryRegistry(), new HmacSigner(), mqtt(mosquitto, "gw7", state));
        await("the queue is settled", () -> store.pending() == 0);
        assertThat(store.expired()).isEqualTo(1);
        await("the live one arrived", () -> parent.telemetry("devices/gw7/").size() == 1);
        assertThat(values(parent.telemetry("devices/gw7/"), "%24.mid")).containsExactly("new");
    }
}
