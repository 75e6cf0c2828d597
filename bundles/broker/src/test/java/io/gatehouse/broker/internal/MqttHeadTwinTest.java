package io.gatehouse.broker.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.api.identity.Authenticator;
import io.gatehouse.api.identity.IdentityId;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Twin requests and desired patches through the real head, with Paho clients and an in-memory twin store. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MqttHeadTwinTest {
    private static final String HOST = "hub.example.net";
    private static final String RESPONSES = "$iothub/twin/res/#";
    private static final String DESIRED = "$iothub/twin/PATCH/properties/desired/#";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final IdentityId DEV1 = IdentityId.device("dev1");
    private static final IdentityId SINK = IdentityId.module("edge1", "sink");

    private static final Authenticator AUTH = new TokenAuthenticator();

    @TempDir
    static Path state;
    private final MqttHead head = new MqttHead();
    private final TestMqttClients clients = new TestMqttClients(HOST);
    private InMemoryTwinStore twins;
    private int port;

    record Received(String topic, String body) {
        JsonNode json() throws IOException {
            return JSON.readTree(body);
        }
    }

    @BeforeAll
    void startHead() throws Exception {
        head.bindAuthenticator(AUTH);
        head.activate(Configs.of(MqttHead.Config.class, Map.of("port", 0, "tlsPort", -1,
                "stateDirectory", state.toString())));
        port = head.boundPort();
    }

    @AfterAll
    void stopHead() {
        head.deactivate();
    }

    @BeforeEach
    void freshTwinStore() {
        twins = new InMemoryTwinStore(head);
        head.bindTwinStore(twins);
    }

    @AfterEach
    void closeClients() {
        twins.release();
        clients.close();
        head.unbindTwinStore(twins);
    }

    /** Connects {@code identity}; what it receives goes to {@code inbox}. */
    private MqttClient connect(String identity, BlockingQueue<Received> inbox, String... filters) throws MqttException {
        return clients.connect(port, identity, (topic, body) -> inbox.add(new Received(topic, body)), filters);
    }

    private static void publish(MqttClient c, String topic, String body, int qos) throws MqttException {
        c.publish(topic, body.getBytes(StandardCharsets.UTF_8), qos, false);
    }

    private static Received next(BlockingQueue<Received> inbox) throws InterruptedException {
        Received r = inbox.poll(10, TimeUnit.SECONDS);
        assertThat(r).as("an answer").isNotNull();
        return r;
    }

    @Test
    void getAnswers200WithTheTwinAndBothVersions() throws Exception {
        twins.patchDesired(DEV1, "{\"temp\":{\"max\":80}}");
        BlockingQueue<Received> inbox = new LinkedBlockingQueue<>();
        MqttClient dev1 = connect("dev1", inbox, RESPONSES);
        publish(dev1, "$iothub/twin/GET/?$rid=1", "", 0);
        Received r = next(inbox);
        assertThat(r.topic()).isEqualTo("$iothub/twin/res/200/?$rid=1");
        JsonNode twin = r.json();
        assertThat(twin.at("/desired/temp/max").asInt()).isEqualTo(80);
        assertThat(twin.at("/desired/$version").asLong()).isEqualTo(2);
        assertThat(twin.at("/reported/$version").asLong()).isEqualTo(1);
        assertThat(twin.get("reported").size()).as("only $version").isEqualTo(1);
    }

    @Test
    void reportedPatchAnswers204WithTheNewVersionAndTheNextGetShowsIt() throws Exception {
        BlockingQueue<Received> inbox = new LinkedBlockingQueue<>();
        MqttClient dev1 = connect("dev1", inbox, RESPONSES);
        publish(dev1, "$iothub/twin/PATCH/properties/reported/?$rid=7", "{\"fw\":\"1.2\",\"up\":true}", 1);
        Received ack = next(inbox);
        assertThat(ack.topic()).isEqualTo("$iothub/twin/res/204/?$rid=7&$version=2");
        assertThat(ack.body()).isEmpty();
        publish(dev1, "$iothub/twin/PATCH/properties/reported/?$rid=8", "{\"up\":null}", 0);
        assertThat(next(inbox).topic()).isEqualTo("$iothub/twin/res/204/?$rid=8&$version=3");
        publish(dev1, "$iothub/twin/GET/?$rid=9", "", 1);
        Received r = next(inbox);
        assertThat(r.topic()).isEqualTo("$iothub/twin/res/200/?$rid=9");
        assertThat(r.json().get("reported")).isEqualTo(JSON.readTree("{\"fw\":\"1.2\",\"$version\":3}"));
    }

    @Test
    void aRefusedPatchAnswers400WithTheReasonAndChangesNothing() throws Exception {
        BlockingQueue<Received> inbox = new LinkedBlockingQueue<>();
        MqttClient dev1 = connect("dev1", inbox, RESPONSES);
        publish(dev1, "$iothub/twin/PATCH/properties/reported/?$rid=a", "{\"fw\":", 1);
        Received malformed = next(inbox);
        assertThat(malformed.topic()).isEqualTo("$iothub/twin/res/400/?$rid=a");
        assertThat(malformed.json().get("message").asText()).startsWith("malformed JSON");
        publish(dev1, "$iothub/twin/PATCH/properties/reported/?$rid=b", "{\"note\":\"" + "x".repeat(5000) + "\"}", 1);
        Received tooLong = next(inbox);
        assertThat(tooLong.topic()).isEqualTo("$iothub/twin/res/400/?$rid=b");
        assertThat(tooLong.json().get("message").asText()).isEqualTo("a string value is longer than 4096 bytes");
        assertThat(twins.get(DEV1).reportedVersion()).isEqualTo(1);
        assertThat(twins.get(DEV1).reportedJson()).isEqualTo("{}");
        assertThat(dev1.isConnected()).as("a refused patch is no reason to drop the client").isTrue();
    }

    @Test
    void aModuleReadsAndPatchesItsOwnTwinWhateverTheTopicNames() throws Exception {
        twins.patchDesired(DEV1, "{\"secret\":1}");
        twins.patchDesired(SINK, "{\"interval\":5}");
        BlockingQueue<Received> inbox = new LinkedBlockingQueue<>();
        MqttClient sink = connect("edge1/sink", inbox, RESPONSES);
        publish(sink, "$iothub/twin/GET/?$rid=4&deviceId=dev1&moduleId=", "", 1);
        Received r = next(inbox);
        assertThat(r.topic()).isEqualTo("$iothub/twin/res/200/?$rid=4");
        assertThat(r.json().get("desired")).isEqualTo(JSON.readTree("{\"interval\":5,\"$version\":2}"));
        publish(sink, "$iothub/twin/PATCH/properties/reported?$rid=5&deviceId=dev1", "{\"ok\":1}", 1);
        assertThat(next(inbox).topic()).isEqualTo("$iothub/twin/res/204/?$rid=5&$version=2");
        assertThat(twins.get(SINK).reportedJson()).isEqualTo("{\"ok\":1}");
        assertThat(twins.get(DEV1).reportedVersion()).as("the device's twin is untouched").isEqualTo(1);
    }

    @Test
    void desiredChangesReachOnlyAConnectedSubscribedClientWithTheirVersion() throws Exception {
        BlockingQueue<Received> subscribed = new LinkedBlockingQueue<>();
        BlockingQueue<Received> notSubscribed = new LinkedBlockingQueue<>();
        connect("dev1", subscribed, RESPONSES, DESIRED);
        connect("dev2", notSubscribed, RESPONSES);
        twins.patchDesired(DEV1, "{\"temp\":21}");
        Received r = next(subscribed);
        assertThat(r.topic()).isEqualTo("$iothub/twin/PATCH/properties/desired/?$version=2");
        assertThat(r.json()).isEqualTo(JSON.readTree("{\"temp\":21,\"$version\":2}"));
        twins.patchDesired(IdentityId.device("dev2"), "{\"temp\":22}");
        twins.patchDesired(IdentityId.device("absent"), "{\"temp\":23}");
        assertThat(notSubscribed.poll(300, TimeUnit.MILLISECONDS)).isNull();
        assertThat(subscribed.poll(50, TimeUnit.MILLISECONDS)).as("another identity's change").isNull();
    }

    @Test
    void anUnsubscribedClientGetsNoDesiredPatchAfterUnsubscribing() throws Exception {
        BlockingQueue<Received> inbox = new LinkedBlockingQueue<>();
        MqttClient dev1 = connect("dev1", inbox, DESIRED);
        dev1.unsubscribe(DESIRED);
        twins.patchDesired(DEV1, "{\"temp\":21}");
        assertThat(inbox.poll(300, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void withoutTwinStoreTheAnswerIs503AndItServesAgainWhenTheStoreIsBack() throws Exception {
        head.unbindTwinStore(twins);
        BlockingQueue<Received> inbox = new LinkedBlockingQueue<>();
        MqttClient dev1 = connect("dev1", inbox, RESPONSES);
        publish(dev1, "$iothub/twin/GET/?$rid=9", "", 1);
        assertThat(next(inbox)).isEqualTo(new Received("$iothub/twin/res/503/?$rid=9", ""));
        head.bindTwinStore(twins);
        twins.failWith(new IOException("disk full"));
        publish(dev1, "$iothub/twin/PATCH/properties/reported/?$rid=10", "{\"a\":1}", 1);
        assertThat(next(inbox)).isEqualTo(new Received("$iothub/twin/res/503/?$rid=10", ""));
        twins.failWith(null);
        publish(dev1, "$iothub/twin/GET/?$rid=11", "", 0);
        assertThat(next(inbox).topic()).isEqualTo("$iothub/twin/res/200/?$rid=11");
    }

    @Test
    void theWorkIsDoneWithoutAnswerForAClientNotSubscribedToResponses() throws Exception {
        BlockingQueue<Received> inbox = new LinkedBlockingQueue<>();
        MqttClient dev1 = connect("dev1", inbox);
        publish(dev1, "$iothub/twin/PATCH/properties/reported/?$rid=1", "{\"a\":1}", 1);
        assertThat(twins.get(DEV1).reportedVersion()).as("stored before the PUBACK").isEqualTo(2);
        assertThat(inbox.poll(300, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void theRequestsPubackWaitsForTheStoreCall() throws Exception {
        BlockingQueue<Received> inbox = new LinkedBlockingQueue<>();
        MqttClient dev1 = connect("dev1", inbox, RESPONSES);
        twins.hold();
        IMqttDeliveryToken token = dev1.getTopic("$iothub/twin/PATCH/properties/reported/?$rid=h")
                .publish(new MqttMessage("{\"a\":1}".getBytes(StandardCharsets.UTF_8)));
        Thread.sleep(300);
        assertThat(token.isComplete()).as("PUBACK before the store call returned").isFalse();
        assertThat(inbox).isEmpty();
        twins.release();
        token.waitForCompletion(5000);
        assertThat(token.isComplete()).isTrue();
        assertThat(next(inbox).topic()).isEqualTo("$iothub/twin/res/204/?$rid=h&$version=2");
    }

    @Test
    void aMissingRidIsAnsweredWithAnEmptyOneAndOtherTwinTopicsAreRefused() throws Exception {
        BlockingQueue<Received> inbox = new LinkedBlockingQueue<>();
        MqttClient dev1 = connect("dev1", inbox, RESPONSES);
        publish(dev1, "$iothub/twin/GET/", "", 1);
        assertThat(next(inbox).topic()).isEqualTo("$iothub/twin/res/200/?$rid=");
        assertThatThrownBy(() -> publish(dev1, "$iothub/twin/PATCH/properties/desired/?$rid=2", "{\"a\":1}", 1))
                .isInstanceOf(MqttException.class);
        assertThat(dev1.isConnected()).isFalse();
        assertThat(twins.get(DEV1).desiredVersion()).isEqualTo(1);
    }
}
