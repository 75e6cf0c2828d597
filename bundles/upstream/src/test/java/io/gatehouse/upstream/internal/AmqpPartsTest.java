package io.gatehouse.upstream.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.api.identity.Identity;
import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.message.Message;
import io.gatehouse.api.message.SystemProperties;
import io.gatehouse.api.store.StoreException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.messaging.AmqpSequence;
import org.apache.qpid.proton.amqp.messaging.AmqpValue;
import org.apache.qpid.proton.amqp.messaging.ApplicationProperties;
import org.apache.qpid.proton.amqp.messaging.Data;
import org.apache.qpid.proton.amqp.messaging.MessageAnnotations;
import org.apache.qpid.proton.amqp.messaging.Properties;
import org.junit.jupiter.api.Test;

/** The AMQP parts without a connection: batches, the message mapping, CBS and twin requests, the C2D relay. */
class AmqpPartsTest {

    private static byte[] encoded(int bodyBytes) {
        return AmqpLinks.encode(AmqpMessageMapping.telemetry(Message.builder().body(new byte[bodyBytes]).build()));
    }

    @Test
    void batchesCloseAtTheirCountOrTheirBytesAndAnOversizedMessageGoesAlone() {
        TelemetryBatcher byCount = new TelemetryBatcher(3, 1_000_000);
        List<TelemetryBatcher.Batch> ready = new ArrayList<>();
        TelemetryBatcher.Batch first = byCount.add(encoded(10), ready);
        byCount.add(encoded(10), ready);
        assertThat(ready).isEmpty();
        assertThat(byCount.add(encoded(10), ready)).isSameAs(first);
        assertThat(ready).containsExactly(first);
        assertThat(first.size()).isEqualTo(3);
        assertThat(first.messageFormat()).isEqualTo(0x80013700).isEqualTo((int) 2147563264L);
        byCount.add(encoded(10), ready);
        TelemetryBatcher.Batch rest = byCount.drain();
        assertThat(rest.size()).isEqualTo(1);
        assertThat(rest.messageFormat()).as("a batch of one goes as a plain message").isZero();
        assertThat(rest.payload()).isEqualTo(rest.messages().get(0));
        assertThat(byCount.drain()).isNull();

        int one = encoded(1000).length + TelemetryBatcher.SECTION_OVERHEAD;
        TelemetryBatcher byBytes = new TelemetryBatcher(10, 2 * one + 10);
        ready.clear();
        TelemetryBatcher.Batch a = byBytes.add(encoded(1000), ready);
        byBytes.add(encoded(1000), ready);
        TelemetryBatcher.Batch b = byBytes.add(encoded(1000), ready);
        assertThat(ready).containsExactly(a);
        assertThat(a.size()).isEqualTo(2);
        assertThat(a.bytes()).isLessThanOrEqualTo(2 * one + 10);
        assertThat(b).isNotSameAs(a);

        ready.clear();
        TelemetryBatcher.Batch huge = byBytes.add(encoded(10_000), ready);
        assertThat(ready).as("the open batch goes first, then the oversized message alone").containsExactly(b, huge);
        assertThat(huge.size()).isEqualTo(1);
        assertThat(huge.messageFormat()).isZero();
    }

    @Test
    void aBatchIsDataSectionsEachAWholeMessageThatDecodesBackWithItsPropertiesAndAnnotations() {
        List<byte[]> messages = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            messages.add(AmqpLinks.encode(AmqpMessageMapping.telemetry(Message.builder()
                    .body(("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8))
                    .systemProperty(SystemProperties.CONNECTION_DEVICE_ID, "edge1")
                    .systemProperty(SystemProperties.CONNECTION_MODULE_ID, "filter")
                    .systemProperty(SystemProperties.MESSAGE_ID, "m" + i)
                    .systemProperty(SystemProperties.OUTPUT_NAME, "out" + i)
                    .property("seq", Integer.toString(i)).build())));
        }
        byte[] body = TelemetryBatcher.encode(messages);
        assertThat(body[0]).as("a described type").isZero();
        assertThat(body[2]).as("the Data section's descriptor").isEqualTo((byte) 0x75);

        List<org.apache.qpid.proton.message.Message> decoded = AmqpBatches.decode(body, TelemetryBatcher.BATCH_FORMAT);
        assertThat(decoded).hasSize(3);
        for (int i = 0; i < 3; i++) {
            org.apache.qpid.proton.message.Message m = decoded.get(i);
            assertThat(m.getMessageId()).isEqualTo("m" + i);
            assertThat(m.getApplicationProperties().getValue()).isEqualTo(Map.of("seq", Integer.toString(i)));
            assertThat(m.getMessageAnnotations().getValue()).containsEntry(Symbol.valueOf("iothub-outputname"), "out" + i);
            assertThat(new String(AmqpParentChannel.bodyOf(m), StandardCharsets.UTF_8)).isEqualTo("{\"n\":" + i + "}");
        }
    }

    @Test
    void telemetryCarriesEveryPropertyTheParentReadsButNeverTheSendersIdentity() {
        Message m = Message.builder().body("x".getBytes(StandardCharsets.UTF_8))
                .systemProperty(SystemProperties.CONNECTION_DEVICE_ID, "edge1")
                .systemProperty(SystemProperties.CONNECTION_MODULE_ID, "filter")
                .systemProperty(SystemProperties.MESSAGE_ID, "mid")
                .systemProperty(SystemProperties.CORRELATION_ID, "cid")
                .systemProperty(SystemProperties.CONTENT_TYPE, "application/json")
                .systemProperty(SystemProperties.CONTENT_ENCODING, "utf-8")
                .systemProperty(SystemProperties.EXPIRY_TIME, "2030-01-01T00:00:00Z")
                .systemProperty(SystemProperties.CREATION_TIME, "2026-01-02T03:04:05.123456Z")
                .systemProperty(SystemProperties.USER_ID, "user")
                .systemProperty(SystemProperties.OUTPUT_NAME, "alerts")
                .systemProperty(SystemProperties.MESSAGE_SCHEMA, "v1")
                .systemProperty(SystemProperties.COMPONENT_NAME, "thermostat")
                .systemProperty(SystemProperties.INTERFACE_ID, "dtmi:x;1")
                .systemProperty(SystemProperties.ENQUEUED_TIME, "2026-01-02T03:04:06Z")
                .property("unit", "°C & more").build();
        org.apache.qpid.proton.message.Message amqp = AmqpLinks.decode(AmqpLinks.encode(AmqpMessageMapping.telemetry(m)));

        Properties p = amqp.getProperties();
        assertThat(p.getMessageId()).isEqualTo("mid");
        assertThat(p.getCorrelationId()).isEqualTo("cid");
        assertThat((Object) p.getContentType()).isEqualTo(Symbol.valueOf("application/json"));
        assertThat((Object) p.getContentEncoding()).isEqualTo(Symbol.valueOf("utf-8"));
        assertThat(p.getAbsoluteExpiryTime()).isEqualTo(Date.from(Instant.parse("2030-01-01T00:00:00Z")));
        assertThat(p.getCreationTime()).isEqualTo(Date.from(Instant.parse("2026-01-02T03:04:05.123Z")));
        assertThat(p.getUserId()).isEqualTo(new Binary("user".getBytes(StandardCharsets.UTF_8)));
        assertThat(amqp.getApplicationProperties().getValue()).isEqualTo(Map.of("unit", "°C & more"));
        assertThat(amqp.getMessageAnnotations().getValue()).isEqualTo(Map.of(
                Symbol.valueOf("iothub-outputname"), "alerts",
                Symbol.valueOf("iothub-message-schema"), "v1",
                Symbol.valueOf("iothub-creation-time-utc"), "2026-01-02T03:04:05.123456Z",
                Symbol.valueOf("dt-subject"), "thermostat",
                Symbol.valueOf("iothub-interface-id"), "dtmi:x;1"));
        assertThat(amqp.toString()).doesNotContain("edge1").doesNotContain("filter");
        assertThat(AmqpParentChannel.bodyOf(amqp)).isEqualTo("x".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aCloudToDeviceMessageComesBackAsTheLocalHeadsDeliverOne() {
        Instant now = Instant.parse("2026-05-01T10:00:00Z");
        org.apache.qpid.proton.message.Message amqp = org.apache.qpid.proton.message.Message.Factory.create();
        Properties p = new Properties();
        p.setMessageId(UUID.fromString("00000000-0000-0000-0000-000000000007"));
        p.setCorrelationId("corr");
        p.setContentType(Symbol.valueOf("text/plain"));
        p.setAbsoluteExpiryTime(Date.from(now.plusSeconds(90)));
        amqp.setProperties(p);
        amqp.setApplicationProperties(new ApplicationProperties(new HashMap<>(Map.of("iothub-ack", "positive", "k", 5))));
        amqp.setBody(new AmqpValue("text body"));
        org.apache.qpid.proton.message.Message wire = AmqpLinks.decode(AmqpLinks.encode(amqp));

        Message m = AmqpMessageMapping.cloudToDevice(wire, "leaf1", now);
        assertThat(m.systemProperty(SystemProperties.MESSAGE_ID)).isEqualTo("00000000-0000-0000-0000-000000000007");
        assertThat(m.systemProperty(SystemProperties.CORRELATION_ID)).isEqualTo("corr");
        assertThat(m.systemProperty(SystemProperties.CONTENT_TYPE)).isEqualTo("text/plain");
        assertThat(m.systemProperty(SystemProperties.EXPIRY_TIME)).isEqualTo("2026-05-01T10:01:30Z");
        assertThat(m.systemProperty(SystemProperties.ACK)).isEqualTo("positive");
        assertThat(m.systemProperty(SystemProperties.TO)).isEqualTo("/devices/leaf1/messages/deviceBound");
        assertThat(m.systemProperty(SystemProperties.ENQUEUED_TIME)).isEqualTo("2026-05-01T10:00:00Z");
        assertThat(m.properties()).isEqualTo(Map.of("k", "5"));
        assertThat(new String(m.body(), StandardCharsets.UTF_8)).isEqualTo("text body");
        assertThat(AmqpMessageMapping.timeToLiveSecs(wire, now)).isEqualTo(90);
        wire.getProperties().setAbsoluteExpiryTime(null);
        assertThat(AmqpMessageMapping.timeToLiveSecs(wire, now)).as("no expiry: forever").isEqualTo(-1);

        amqp.setBody(new AmqpSequence(List.of(1, 2)));
        assertThatThrownBy(() -> AmqpMessageMapping.cloudToDevice(amqp, "leaf1", now))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("AmqpSequence");
    }

    @Test
    void aPutTokenNamesTheAudienceAndOnBehalfCarriesTheAuthChainNeverTheKey() throws Exception {
        MemoryRegistry registry = new MemoryRegistry()
                .with(new Identity(IdentityId.device("child"), "a2V5", "a2V5", true, "edge1"))
                .with(new Identity(IdentityId.device("gleaf"), "a2V5", "a2V5", false, "child"));
        UpstreamCredentials credentials = new UpstreamCredentials("parent.local", "edge1", Fixtures.DEVICE_KEY,
                Duration.ofHours(1), new HmacSigner(), registry, Clock.fixed(Instant.EPOCH, ZoneOffset.UTC));
        IdentityId module = IdentityId.module("edge1", "$edgeAgent");
        assertThat(credentials.audience(module)).isEqualTo("amqps://parent.local/devices/edge1/modules/%24edgeAgent");
        assertThat(credentials.authChainText(module)).isEqualTo("edge1%2F%24edgeAgent;edge1");
        assertThat(credentials.authChainText(IdentityId.device("gleaf"))).isEqualTo("gleaf;child;edge1");
        assertThat(credentials.authChainText(IdentityId.device("edge1"))).isNull();

        UUID id = UUID.randomUUID();
        String token = credentials.password(IdentityId.device("gleaf"));
        org.apache.qpid.proton.message.Message onBehalf = AmqpLinks.decode(AmqpLinks.encode(CbsClient.request(id,
                credentials.audience(IdentityId.device("gleaf")), token, "gleaf;child;edge1")));
        assertThat(onBehalf.getMessageId()).isEqualTo(id);
        assertThat(onBehalf.getAddress()).isEqualTo("$cbs");
        assertThat(onBehalf.getApplicationProperties().getValue()).isEqualTo(Map.of("operation", "put-token",
                "type", "azure-devices.net:sastoken", "name", "amqps://parent.local/devices/gleaf",
                "auth-chain", "gleaf;child;edge1"));
        assertThat(((AmqpValue) onBehalf.getBody()).getValue()).isEqualTo(token);
        assertThat(token).contains("sr=parent.local%2Fdevices%2Fgleaf").doesNotContain(Fixtures.DEVICE_KEY);

        org.apache.qpid.proton.message.Message own = CbsClient.request(id, credentials.audience(IdentityId.device("edge1")),
                "t", null);
        assertThat(own.getApplicationProperties().getValue()).doesNotContainKey("auth-chain");

        org.apache.qpid.proton.message.Message reply = org.apache.qpid.proton.message.Message.Factory.create();
        reply.setApplicationProperties(new ApplicationProperties(Map.of("status-code", 401, "status-description", "no")));
        assertThat(CbsClient.result(reply)).isEqualTo(new CbsClient.Result(401, "no"));
        assertThat(CbsClient.result(reply).authenticated()).isFalse();
        assertThat(CbsClient.status("200")).isEqualTo(200);
        assertThat(CbsClient.status(null)).isZero();
    }

    @Test
    void twinRequestsAndMethodAnswersAreShapedAsTheSdkSendsThem() {
        UUID id = UUID.randomUUID();
        org.apache.qpid.proton.message.Message patch = AmqpLinks.decode(AmqpLinks.encode(AmqpParentChannel.twinRequest(
                id, "PATCH", "/properties/reported", "{\"a\":1}".getBytes(StandardCharsets.UTF_8))));
        assertThat(patch.getMessageId()).isEqualTo(id);
        assertThat(patch.getCorrelationId()).isEqualTo(id);
        assertThat(patch.getMessageAnnotations().getValue()).isEqualTo(Map.of(Symbol.valueOf("operation"), "PATCH",
                Symbol.valueOf("resource"), "/properties/reported"));
        assertThat(((Data) patch.getBody()).getValue()).isEqualTo(new Binary("{\"a\":1}".getBytes(StandardCharsets.UTF_8)));
        MessageAnnotations get = AmqpParentChannel.twinRequest(id, "GET", null, new byte[0]).getMessageAnnotations();
        assertThat(get.getValue()).isEqualTo(Map.of(Symbol.valueOf("operation"), "GET"));

        org.apache.qpid.proton.message.Message answer = AmqpLinks.decode(AmqpLinks.encode(
                AmqpParentChannel.methodAnswer(id, 404, "{}".getBytes(StandardCharsets.UTF_8))));
        assertThat(answer.getCorrelationId()).isEqualTo(id);
        assertThat(answer.getApplicationProperties().getValue()).isEqualTo(Map.of("IoThub-status", 404));
    }

    /** Records the order of appends and settlements. */
    private static final class Recorder implements CloudToDeviceRelay.Settlement {
        final List<String> events;

        Recorder(List<String> events) {
            this.events = events;
        }

        @Override
        public void accept() {
            events.add("accepted");
        }

        @Override
        public void release() {
            events.add("released");
        }

        @Override
        public void reject(String reason) {
            events.add("rejected: " + reason);
        }
    }

    @Test
    void aCloudToDeviceMessageIsAcceptedOnlyAfterItsAppendAndReleasedWhenTheAppendFails() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        MemoryStore store = new MemoryStore();
        CloudToDeviceRelay relay = new CloudToDeviceRelay(new AppendRecorder(store, events),
                Clock.fixed(Instant.parse("2026-05-01T10:00:00Z"), ZoneOffset.UTC));
        org.apache.qpid.proton.message.Message m = org.apache.qpid.proton.message.Message.Factory.create();
        m.setBody(new Data(new Binary(new byte[] {1, 2})));
        relay.received("leaf1", m, new Recorder(events));
        Fixtures.await("settled", () -> events.size() == 2);
        assertThat(events).containsExactly("appended $c2d/leaf1", "accepted");
        assertThat(store.others.get(0).target().timeToLiveSecs()).isEqualTo(-1);

        events.clear();
        store.failOthers = new StoreException("disk full");
        relay.received("leaf1", m, new Recorder(events));
        Fixtures.await("settled", () -> events.size() == 1);
        assertThat(events).containsExactly("released");
        assertThat(store.others).as("nothing more was stored").hasSize(1);

        events.clear();
        store.failOthers = null;
        m.setBody(new AmqpSequence(List.of(1)));
        relay.received("leaf1", m, new Recorder(events));
        Fixtures.await("settled", () -> events.size() == 1);
        assertThat(events.get(0)).startsWith("rejected: ");
        assertThat(store.others).hasSize(1);
        relay.stop();
    }

    /** A store that notes each append before it returns. */
    private static final class AppendRecorder implements io.gatehouse.api.store.MessageStore {
        private final MemoryStore store;
        private final List<String> events;

        AppendRecorder(MemoryStore store, List<String> events) {
            this.store = store;
            this.events = events;
        }

        @Override
        public void append(Message message, List<io.gatehouse.api.route.RouteTarget> targets) throws StoreException {
            store.append(message, targets);
            events.add("appended " + targets.get(0).endpointId());
        }

        @Override
        public io.gatehouse.api.store.QueueConsumer consume(String endpointIdOrPrefix) {
            return store.consume(endpointIdOrPrefix);
        }

        @Override
        public List<io.gatehouse.api.store.QueueStatus> queues() {
            return store.queues();
        }

        @Override
        public List<io.gatehouse.api.store.DeadLetter> deadLetters(String endpointId, long afterSequence, int max) {
            return store.deadLetters(endpointId, afterSequence, max);
        }

        @Override
        public long purgeDeadLetters(String endpointId) {
            return store.purgeDeadLetters(endpointId);
        }

        @Override
        public long requeueDeadLetters(String endpointId) {
            return 0;
        }
    }

    @Test
    void theLeavesOfAScopeAreItsDevicesThatAreNeitherEdgeDevicesModulesNorThisGateway() {
        List<Identity> scope = List.of(new Identity(IdentityId.device("leaf1"), "k", "k", false, "edge1"),
                new Identity(IdentityId.device("child"), "k", "k", true, "edge1"),
                new Identity(IdentityId.module("child", "$edgeHub"), "k", "k"),
                new Identity(IdentityId.device("edge1"), "k", "k", true, null),
                new Identity(IdentityId.device("gleaf"), "k", "k", false, "child"));
        assertThat(CloudToDeviceReceivers.leavesOf(scope, "edge1"))
                .containsExactly(IdentityId.device("leaf1"), IdentityId.device("gleaf"));
    }

    @Test
    void theTwinsMirroredHereAreTheOwnModulesAndTheLeavesDirectlyBelowNotTheGrandchildren() {
        List<Identity> identities = List.of(new Identity(IdentityId.device("leaf1"), "k", "k", false, "edge1"),
                new Identity(IdentityId.device("child"), "k", "k", true, "edge1"),
                new Identity(IdentityId.module("child", "$edgeHub"), "k", "k"),
                new Identity(IdentityId.module("child", "sensor"), "k", "k"),
                new Identity(IdentityId.device("edge1"), "k", "k", true, null),
                new Identity(IdentityId.module("edge1", "$edgeAgent"), "k", "k"),
                new Identity(IdentityId.module("edge1", "$edgeHub"), "k", "k"),
                new Identity(IdentityId.module("edge1", "filter"), "k", "k"),
                new Identity(IdentityId.device("gleaf"), "k", "k", false, "child"),
                new Identity(IdentityId.device("orphan"), "k", "k"));
        assertThat(MirrorTargets.directLeaves(identities, "edge1")).containsExactly(IdentityId.device("leaf1"));
        assertThat(MirrorTargets.ownModules(identities, "edge1")).containsExactly(IdentityId.module("edge1", "filter"));
        assertThat(MirrorTargets.directLeaves(identities, "child")).as("the child's view")
                .containsExactly(IdentityId.device("gleaf"));
    }
}
