package io.gatehouse.upstream.internal;

import static io.gatehouse.upstream.internal.Fixtures.await;
import static io.gatehouse.upstream.internal.Fixtures.config;
import static io.gatehouse.upstream.internal.Fixtures.mqtt;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.api.message.Message;
import io.gatehouse.api.message.SystemProperties;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cloud-to-device relay over MQTT on Mosquitto: one connection per leaf, PUBACK only after the store took it. */
class MqttCloudToDeviceTest {
    static Mosquitto mosquitto;
    static Parent parent;
    @TempDir
    Path state;

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

    private static final String SCOPE = """
            {"identities":[
              {"deviceId":"cleaf","primaryKey":"cDE=","secondaryKey":"czE=","edgeDevice":false,"parentDeviceId":"cgw"},
              {"deviceId":"cchild","primaryKey":"cDI=","secondaryKey":"czI=","edgeDevice":true,"parentDeviceId":"cgw"},
              {"deviceId":"cchild","moduleId":"$edgeHub","primaryKey":"cDM=","secondaryKey":"czM=","edgeDevice":false}
            ]}""";

    @Test
    void aLeafsMessageLandsInItsQueueWithItsPropertiesIsAcknowledgedOnlyOnceStoredAndComesAgainWhenTheAppendFails()
            throws Exception {
        parent.scopeBody = SCOPE;
        MemoryStore store = new MemoryStore();
        Map<String, Object> c = mqtt(mosquitto, "cgw", state);
        c.put("idleConnectionTimeoutSecs", 1); // the idle sweep runs every second, and must spare the leaf
        c.put("scopeRefreshSecs", 1);
        UpstreamComponent upstream = new UpstreamComponent(store, new MemoryRegistry(), new HmacSigner(), config(c));
        try {
            await("the leaf subscribed to its cloud-to-device messages", () -> mosquitto.subscribed("cleaf"));
            assertThat(mosquitto.connectLines()).as("one connection for the leaf, on behalf")
                    .anySatisfy(l -> assertThat(l).contains(" as cleaf ").contains("auth-chain=cleaf;cgw"))
                    .noneSatisfy(l -> assertThat(l).contains(" as cchild "));

            List<Long> pubacksAtAppend = new CopyOnWriteArrayList<>();
            store.onOtherAppend = () -> pubacksAtAppend.add(mosquitto.pubacksFrom("cleaf", "devices/cleaf/messages/devicebound/"));
            store.failNextOthers.set(1);
            Instant expiry = Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
            parent.publish("devices/cleaf/messages/devicebound/$.mid=c2d-1&$.to=%2Fdevices%2Fcleaf%2Fmessages%2FdeviceBound"
                    + "&$.cid=corr-1&$.ct=text%2Fplain&$.ce=utf-8&$.exp=" + expiry + "&iothub-ack=full&color=dark%20red"
                    + "&$.cdid=forged", "hello leaf");

            await("the message came again after the failed append and was stored", () -> store.others.size() == 1,
                    () -> store.otherAttempts.get() + " attempts");
            assertThat(store.otherAttempts).hasValue(2);
            assertThat(pubacksAtAppend).as("no PUBACK before either append returned").containsExactly(0L, 0L);
            await("the PUBACK once it was stored", () -> mosquitto.pubacksFrom("cleaf", "devices/cleaf/messages/devicebound/") == 1);

            MemoryStore.Appended appended = store.others.get(0);
            assertThat(appended.target().endpointId()).isEqualTo("$c2d/cleaf");
            assertThat(appended.target().timeToLiveSecs()).isBetween(3590L, 3600L);
            Message m = appended.message();
            assertThat(new String(m.body(), StandardCharsets.UTF_8)).isEqualTo("hello leaf");
            assertThat(m.systemProperties()).containsEntry(SystemProperties.MESSAGE_ID, "c2d-1")
                    .containsEntry(SystemProperties.CORRELATION_ID, "corr-1")
                    .containsEntry(SystemProperties.CONTENT_TYPE, "text/plain")
                    .containsEntry(SystemProperties.CONTENT_ENCODING, "utf-8")
                    .containsEntry(SystemProperties.EXPIRY_TIME, expiry.toString())
                    .containsEntry(SystemProperties.ACK, "full")
                    .containsEntry(SystemProperties.TO, "/devices/cleaf/messages/deviceBound")
                    .containsKey(SystemProperties.ENQUEUED_TIME)
                    .doesNotContainKey(SystemProperties.CONNECTION_DEVICE_ID);
            assertThat(m.properties()).containsExactly(Map.entry("color", "dark red"));

            // the leaf's connection outlives the idle timeout while the leaf is in the scope
            long disconnects = mosquitto.disconnects("cleaf");
            Thread.sleep(2500);
            assertThat(mosquitto.disconnects("cleaf")).isEqualTo(disconnects);
            parent.publish("devices/cleaf/messages/devicebound/$.mid=c2d-2", "again");
            await("the second message", () -> store.others.size() == 2);
            assertThat(store.others).extracting(a -> a.message().systemProperty(SystemProperties.MESSAGE_ID))
                    .as("the first one was not sent again").containsExactly("c2d-1", "c2d-2");
            assertThat(store.others.get(1).target().timeToLiveSecs()).as("no $.exp: forever").isEqualTo(-1);

            parent.scopeBody = "{\"identities\":[]}";
            await("the leaf left the scope and its connection was closed",
                    () -> mosquitto.disconnects("cleaf") > disconnects);
        } finally {
            upstream.deactivate();
            parent.scopeBody = "{\"identities\":[]}";
        }
    }
}
