package io.gatehouse.broker.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.api.identity.Authenticator;
import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.method.MethodInvocationException;
import io.gatehouse.api.method.MethodRequest;
import io.gatehouse.api.method.MethodResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Direct methods through the real head, with Paho clients as the targets. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MqttHeadMethodsTest {
    private static final String HOST = "hub.example.net";
    private static final String METHODS = "$iothub/methods/POST/#";
    private static final Pattern REQUEST = Pattern.compile("\\$iothub/methods/POST/([^/]+)/\\?\\$rid=([0-9a-f]+)");
    private static final IdentityId SINK = IdentityId.module("edge1", "sink");
    private static final IdentityId DEV1 = IdentityId.device("dev1");

    private static final Authenticator AUTH = new TokenAuthenticator();

    @TempDir
    static Path state;
    private final MqttHead head = new MqttHead();
    private final TestMqttClients clients = new TestMqttClients(HOST);
    private int port;

    record Received(String topic, String body) {
        /** The request id of a method request. */
        String rid() {
            Matcher m = REQUEST.matcher(topic);
            assertThat(m.matches()).as("a method request topic: " + topic).isTrue();
            return m.group(2);
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

    @AfterEach
    void closeClients() {
        clients.close();
    }

    private MqttClient connect(int port, String identity, BlockingQueue<Received> inbox, String... filters)
            throws MqttException {
        return clients.connect(port, identity, (topic, body) -> inbox.add(new Received(topic, body)), filters);
    }

    private MqttClient connect(String identity, BlockingQueue<Received> inbox, String... filters) throws MqttException {
        return connect(port, identity, inbox, filters);
    }

    private static MethodRequest request(IdentityId target, String name, String payload, int responseSecs, int connectSecs) {
        return new MethodRequest(target, name, payload, Duration.ofSeconds(responseSecs), Duration.ofSeconds(connectSecs));
    }

    private CompletableFuture<MethodResult> invoke(IdentityId target, String name, String payload, int connectSecs) {
        return head.invoke(request(target, name, payload, 30, connectSecs)).toCompletableFuture();
    }

    private static void answer(MqttClient c, int status, String rid, String body, int qos) throws MqttException {
        c.publish("$iothub/methods/res/" + status + "/?$rid=" + rid, body.getBytes(StandardCharsets.UTF_8), qos, false);
    }

    private static Received next(BlockingQueue<Received> inbox) throws InterruptedException {
        Received r = inbox.poll(10, TimeUnit.SECONDS);
        assertThat(r).as("a method request").isNotNull();
        return r;
    }

    private static Throwable failure(CompletableFuture<MethodResult> call, long seconds) throws Exception {
        try {
            call.get(seconds, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("the call did not fail");
    }

    private static void assertNotFound(Throwable failure, String message) {
        assertThat(failure).isInstanceOf(MethodInvocationException.class).hasMessage(message);
        assertThat(((MethodInvocationException) failure).status()).isEqualTo(404);
    }

    @Test
    void aSubscribedModuleAnswersAndTheCallCompletesWithItsStatusAndPayload() throws Exception {
        BlockingQueue<Received> inbox = new LinkedBlockingQueue<>();
        MqttClient sink = connect("edge1/sink", inbox, METHODS);
        CompletableFuture<MethodResult> call = invoke(SINK, "reboot", "{\"delay\":1}", 0);
        Received request = next(inbox);
        assertThat(request.topic()).startsWith("$iothub/methods/POST/reboot/?$rid=");
        assertThat(request.body()).isEqualTo("{\"delay\":1}");
        assertThat(call).isNotDone();
        answer(sink, 200, request.rid(), "{\"ok\":true}", 1);
        assertThat(call.get(5, TimeUnit.SECONDS)).isEqualTo(new MethodResult(200, "{\"ok\":true}"));

        CompletableFuture<MethodResult> second = invoke(SINK, "ping", "null", 0);
        Received again = next(inbox);
        assertThat(again.rid()).as("a fresh request id").isNotEqualTo(request.rid());
        answer(sink, 404, again.rid(), "", 0);
        assertThat(second.get(5, TimeUnit.SECONDS)).as("no body: no payload").isEqualTo(new MethodResult(404, null));
    }

    @Test
    void holdsOnlyAConnectedClientSubscribedToMethods() throws Exception {
        assertThat(head.holds(DEV1)).as("absent").isFalse();
        MqttClient dev1 = connect("dev1", new LinkedBlockingQueue<>());
        assertThat(head.holds(DEV1)).as("connected, not subscribed").isFalse();
        dev1.subscribe(METHODS, 0);
        assertThat(head.holds(DEV1)).isTrue();
        assertThat(head.holds(SINK)).as("another identity").isFalse();
        dev1.unsubscribe(METHODS);
        assertThat(head.holds(DEV1)).as("unsubscribed").isFalse();
        dev1.subscribe(METHODS, 0);
        dev1.disconnect();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (head.holds(DEV1) && System.nanoTime() < deadline) Thread.sleep(10); // the head sees DISCONNECT later
        assertThat(head.holds(DEV1)).as("disconnected").isFalse();
    }

    @Test
    void noAnswerWithinTheResponseTimeoutFails504AndALateAnswerIsIgnored() throws Exception {
        BlockingQueue<Received> inbox = new LinkedBlockingQueue<>();
        MqttClient sink = connect("edge1/sink", inbox, METHODS);
        long start = System.nanoTime();
        CompletableFuture<MethodResult> call = head.invoke(request(SINK, "slow", "{}", 5, 0)).toCompletableFuture();
        String rid = next(inbox).rid();
        Throwable failure = failure(call, 10);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(4900));
        assertThat(failure).isInstanceOf(MethodInvocationException.class)
                .hasMessage("edge1/sink did not answer method slow within 5 s");
        assertThat(((MethodInvocationException) failure).status()).isEqualTo(504);
        answer(sink, 200, rid, "{}", 1); // PUBACKed although nobody waits any more
        assertThat(sink.isConnected()).isTrue();
    }

    @Test
    void anAbsentOrUnsubscribedTargetFails404AtOnceWithoutConnectTimeoutAndAfterIt() throws Exception {
        long start = System.nanoTime();
        assertNotFound(failure(invoke(DEV1, "m", "{}", 0), 1), "dev1 is not connected");
        connect("dev1", new LinkedBlockingQueue<>());
        assertNotFound(failure(invoke(DEV1, "m", "{}", 0), 1), "dev1 is not subscribed to direct methods");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
        CompletableFuture<MethodResult> waited = invoke(DEV1, "m", "{}", 1);
        Thread.sleep(500);
        assertThat(waited).isNotDone();
        assertNotFound(failure(waited, 5), "dev1 is not subscribed to direct methods");
    }

    @Test
    void aTargetThatConnectsAndSubscribesWithinTheConnectTimeoutGetsTheCall() throws Exception {
        CompletableFuture<MethodResult> call = invoke(SINK, "start", "{\"speed\":3}", 10);
        Thread.sleep(200);
        assertThat(call).isNotDone();
        BlockingQueue<Received> inbox = new LinkedBlockingQueue<>();
        MqttClient sink = connect("edge1/sink", inbox);
        Thread.sleep(200);
        assertThat(inbox).as("not before it subscribes").isEmpty();
        sink.subscribe(METHODS, 0);
        Received request = next(inbox);
        assertThat(request.topic()).startsWith("$iothub/methods/POST/start/");
        assertThat(request.body()).isEqualTo("{\"speed\":3}");
        answer(sink, 201, request.rid(), "\"started\"", 0);
        assertThat(call.get(5, TimeUnit.SECONDS)).isEqualTo(new MethodResult(201, "\"started\""));
    }

    @Test
    void anAnswerFromAnotherIdentityWithTheSameRidDoesNotCompleteTheCall() throws Exception {
        BlockingQueue<Received> inbox = new LinkedBlockingQueue<>();
        MqttClient sink = connect("edge1/sink", inbox, METHODS);
        MqttClient dev1 = connect("dev1", new LinkedBlockingQueue<>(), METHODS);
        CompletableFuture<MethodResult> call = invoke(SINK, "open", "{}", 0);
        String rid = next(inbox).rid();
        answer(dev1, 200, rid, "{\"forged\":true}", 1);
        Thread.sleep(300);
        assertThat(call).isNotDone();
        assertThat(dev1.isConnected()).as("ignored, not refused").isTrue();
        answer(sink, 200, rid, "{\"forged\":false}", 1);
        assertThat(call.get(5, TimeUnit.SECONDS)).isEqualTo(new MethodResult(200, "{\"forged\":false}"));
    }

    @Test
    void aTargetThatDisconnectsBeforeAnsweringFails404AtOnce() throws Exception {
        BlockingQueue<Received> inbox = new LinkedBlockingQueue<>();
        MqttClient sink = connect("edge1/sink", inbox, METHODS);
        CompletableFuture<MethodResult> call = invoke(SINK, "m", "{}", 0);
        next(inbox);
        sink.disconnect();
        assertNotFound(failure(call, 2), "edge1/sink disconnected before answering");
    }

    @Test
    void requestsBeyondTheLimitsFailWithTheReasonAndSendNothing() throws Exception {
        BlockingQueue<Received> inbox = new LinkedBlockingQueue<>();
        connect("edge1/sink", inbox, METHODS);
        List<MethodRequest> invalid = List.of(
                request(SINK, "", "{}", 30, 0),
                request(SINK, "x".repeat(101), "{}", 30, 0),
                request(SINK, "a/b", "{}", 30, 0),
                request(SINK, "all#", "{}", 30, 0),
                request(SINK, "m", "\"" + "x".repeat(128 * 1024) + "\"", 30, 0),
                request(SINK, "m", "{}", 4, 0),
                request(SINK, "m", "{}", 301, 0),
                request(SINK, "m", "{}", 30, -1),
                request(SINK, "m", "{}", 30, 301));
        for (MethodRequest r : invalid) {
            assertThatThrownBy(() -> head.invoke(r).toCompletableFuture().join())
                    .hasCauseInstanceOf(IllegalArgumentException.class)
                    .cause().hasMessage(MethodRequestValidator.problem(r)).message().isNotBlank();
        }
        assertThat(inbox.poll(300, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void anUnknownRidIsIgnoredAndOtherMethodTopicsCloseTheConnection() throws Exception {
        MqttClient sink = connect("edge1/sink", new LinkedBlockingQueue<>(), METHODS);
        answer(sink, 200, "ffffff", "{}", 1);
        answer(sink, 200, "", "{}", 1);
        assertThat(sink.isConnected()).isTrue();
        assertThatThrownBy(() -> sink.publish("$iothub/methods/POST/reboot/?$rid=1", new byte[0], 1, false))
                .isInstanceOf(MqttException.class);
        assertThat(sink.isConnected()).isFalse();
        MqttClient dev1 = connect("dev1", new LinkedBlockingQueue<>());
        assertThatThrownBy(() -> dev1.publish("$iothub/methods/res/ok/?$rid=1", new byte[0], 1, false))
                .isInstanceOf(MqttException.class);
        assertThat(dev1.isConnected()).isFalse();
    }

    @Test
    void stoppingTheHeadFailsWaitingAndSentCalls() throws Exception {
        MqttHead other = new MqttHead();
        other.bindAuthenticator(AUTH);
        other.activate(Configs.of(MqttHead.Config.class, Map.of("port", 0, "tlsPort", -1,
                "stateDirectory", state.resolve("other").toString())));
        BlockingQueue<Received> inbox = new LinkedBlockingQueue<>();
        connect(other.boundPort(), "edge1/sink", inbox, METHODS);
        CompletableFuture<MethodResult> sent = other.invoke(request(SINK, "m", "{}", 30, 0)).toCompletableFuture();
        next(inbox);
        CompletableFuture<MethodResult> waiting = other.invoke(request(DEV1, "m", "{}", 30, 30)).toCompletableFuture();
        other.deactivate();
        assertNotFound(failure(sent, 1), "the MQTT head stopped");
        assertNotFound(failure(waiting, 1), "the MQTT head stopped");
        assertNotFound(failure(other.invoke(request(SINK, "m", "{}", 30, 0)).toCompletableFuture(), 1),
                "the MQTT head stopped");
        assertThat(other.holds(SINK)).isFalse();
    }
}
