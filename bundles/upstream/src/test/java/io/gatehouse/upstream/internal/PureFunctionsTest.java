package io.gatehouse.upstream.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.message.Message;
import io.gatehouse.api.message.SystemProperties;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Encodings, diffs, limits, settings and state files: the parts without a connection. */
class PureFunctionsTest {
    private final ObjectMapper json = new ObjectMapper();
    @TempDir
    Path dir;

    @Test
    void thePropertyBagCarriesSystemThenApplicationPropertiesButNeverTheSendersIdentity() {
        Message m = Message.builder().body(new byte[3])
                .systemProperty(SystemProperties.CONNECTION_DEVICE_ID, "edge1")
                .systemProperty(SystemProperties.CONNECTION_MODULE_ID, "filter")
                .systemProperty(SystemProperties.ENQUEUED_TIME, "1700000000000")
                .systemProperty(SystemProperties.MESSAGE_SCHEMA, "v1")
                .systemProperty(SystemProperties.CORRELATION_ID, "c 1")
                .systemProperty(SystemProperties.OUTPUT_NAME, "alerts")
                .systemProperty(SystemProperties.USER_ID, "u")
                .property("a+b", "x/y?z#").build();
        assertThat(TelemetryEncoding.topic(TelemetryEncoding.sender(m), m))
                .isEqualTo("devices/edge1/modules/filter/messages/events/"
                        + "%24.cid=c%201&%24.on=alerts&%24.schema=v1&%24.uid=u&a%2Bb=x%2Fy%3Fz%23");
        assertThat(TelemetryEncoding.size(m)).isEqualTo(3 + "connectionDeviceId".length() + 5
                + "connectionModuleId".length() + 6 + "enqueuedTime".length() + 13 + "messageSchema".length() + 2
                + "cid".length() + 3 + "outputName".length() + 6 + "userId".length() + 1 + 3 + 6);
        assertThat(TelemetryEncoding.invalidReason(m)).isNull();
    }

    @Test
    void aMessageWithoutSenderOrTooLargeCanNeverBeSent() {
        assertThat(TelemetryEncoding.invalidReason(Message.builder().build())).contains("no connectionDeviceId");
        Message big = Message.builder().systemProperty(SystemProperties.CONNECTION_DEVICE_ID, "d")
                .body(new byte[TelemetryEncoding.MAX_MESSAGE_BYTES - 19])
                .build();
        assertThat(TelemetryEncoding.invalidReason(big)).isNull(); // exactly 256 KiB with its one property
        Message bigger = big.toBuilder().property("k", "").build();
        assertThat(TelemetryEncoding.invalidReason(bigger)).contains("262145 bytes");
        assertThat(TelemetryEncoding.sender(bigger)).isEqualTo(IdentityId.device("d"));
    }

    @Test
    void theMergeDiffNullsRemovedKeysAndRecursesIntoObjects() throws Exception {
        ObjectNode from = (ObjectNode) json.readTree("{\"a\":1,\"b\":{\"x\":1,\"y\":[1,2]},\"c\":\"gone\"}");
        ObjectNode to = (ObjectNode) json.readTree("{\"a\":1,\"b\":{\"x\":2,\"y\":[1,2]},\"d\":{\"n\":true}}");
        assertThat(JsonMergeDiff.diff(from, to))
                .isEqualTo(json.readTree("{\"b\":{\"x\":2},\"c\":null,\"d\":{\"n\":true}}"));
        assertThat(JsonMergeDiff.diff(to, to.deepCopy())).isEmpty();
    }

    @Test
    void reportedDocumentsBreakingTheParentsTwinRulesAreNamed() throws Exception {
        assertThat(ReportedLimits.violation(json.readTree("{\"a\":{\"b\":[{\"c\":1}]}}"), json)).isNull();
        assertThat(ReportedLimits.violation(json.readTree("{\"a\":{\"b\":[{\"c.d\":1}]}}"), json)).contains("a/b[]/c.d");
        assertThat(ReportedLimits.violation(json.readTree("{\"$x\":1}"), json)).contains("'$x'");
        assertThat(ReportedLimits.violation(json.readTree("{\"a b\":1}"), json)).contains("'a b'");
        ObjectNode big = json.createObjectNode();
        big.put("v", "x".repeat(ReportedLimits.MAX_SIDE_BYTES));
        assertThat(ReportedLimits.violation(big, json)).contains("over the 32768");
    }

    @Test
    void twinAnswersAreMatchedToTheirRequestByRid() throws Exception {
        Requests requests = new Requests();
        Requests.Pending p = requests.open();
        assertThat(requests.complete(TwinClient.RESPONSE_PREFIX, "$iothub/twin/res/204/?$rid=999&$version=7", null))
                .isFalse();
        assertThat(requests.complete(TwinClient.RESPONSE_PREFIX,
                "$iothub/twin/res/204/?$rid=" + p.rid + "&$version=7", new byte[0])).isTrue();
        Requests.Response r = p.await(java.time.Duration.ofSeconds(1), "test");
        assertThat(r.status()).isEqualTo(204);
        assertThat(r.version()).isEqualTo(7L);
        Requests.Pending unanswered = requests.open();
        assertThatThrownBy(() -> unanswered.await(java.time.Duration.ofMillis(50), "twin GET of x"))
                .isInstanceOf(UpstreamException.class).hasMessageContaining("no answer within");
    }

    private static Map<String, Object> settings() {
        Map<String, Object> m = new HashMap<>();
        m.put("hostName", "parent.local");
        m.put("deviceKey", Fixtures.DEVICE_KEY);
        return m;
    }

    @Test
    void settingsDefaultToAmqpOverTlsAndRefuseWhatCannotWorkNamingTheKey() {
        UpstreamSettings s = UpstreamSettings.from(Fixtures.config(settings()));
        assertThat(s.protocol()).isEqualTo(UpstreamProtocol.AMQPS);
        assertThat(s.tls()).isTrue();
        assertThat(s.port()).isEqualTo(5671);
        assertThat(s.maxBatchSize()).isEqualTo(10);
        assertThat(s.maxBatchBytes()).isEqualTo(262_144);
        assertThat(s.operationTimeout()).hasSeconds(20);
        assertThat(s.toString()).doesNotContain(Fixtures.DEVICE_KEY);

        // each protocol's own port unless one is set
        for (String[] p : new String[][] {{"amqp", "5672"}, {"mqtts", "8883"}, {"MQTT", "1883"}}) {
            Map<String, Object> m = settings();
            m.put("protocol", p[0]);
            assertThat(UpstreamSettings.from(Fixtures.config(m)).port()).as(p[0]).isEqualTo(Integer.parseInt(p[1]));
        }
        Map<String, Object> mqtts = settings();
        mqtts.put("protocol", "mqtts");
        mqtts.put("port", 18883);
        assertThat(UpstreamSettings.from(Fixtures.config(mqtts)).serverUri()).isEqualTo("ssl://parent.local:18883");
        Map<String, Object> badBytes = settings();
        badBytes.put("maxBatchBytes", -5);
        assertThat(UpstreamSettings.from(Fixtures.config(badBytes)).maxBatchBytes()).isEqualTo(262_144);

        Map<String, Object> unknown = settings();
        unknown.put("protocol", "http");
        assertThatThrownBy(() -> UpstreamSettings.from(Fixtures.config(unknown)))
                .hasMessageContaining("unknown protocol 'http'").hasMessageContaining("amqps, amqp, mqtts or mqtt");
        Map<String, Object> badPort = settings();
        badPort.put("port", 70000);
        assertThatThrownBy(() -> UpstreamSettings.from(Fixtures.config(badPort))).hasMessageContaining("port 70000");
        Map<String, Object> noKey = settings();
        noKey.remove("deviceKey");
        assertThatThrownBy(() -> UpstreamSettings.from(Fixtures.config(noKey)))
                .hasMessageContaining("neither deviceKey nor certFile and keyFile are set")
                .hasMessageContaining("io.gatehouse.upstream");
        Map<String, Object> badKey = settings();
        badKey.put("deviceKey", "not base64!");
        assertThatThrownBy(() -> UpstreamSettings.from(Fixtures.config(badKey)))
                .hasMessageContaining("deviceKey is not a base64 key").hasMessageNotContaining("not base64!");
        Map<String, Object> ipv6 = settings();
        ipv6.put("hostName", "::1");
        ipv6.put("protocol", "mqtt");
        ipv6.put("maxBatchSize", 0);
        UpstreamSettings v6 = UpstreamSettings.from(Fixtures.config(ipv6));
        assertThat(v6.serverUri()).isEqualTo("tcp://[::1]:1883");
        assertThat(v6.maxBatchSize()).as("a nonsensical number falls back to the default").isEqualTo(10);
    }

    @Test
    void aCaFileThatHoldsNoCertificateIsRefusedWithTheReason() throws Exception {
        Path garbage = Files.writeString(dir.resolve("ca.pem"), "not a certificate", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> TlsSocketFactories.trusting(garbage.toString()))
                .isInstanceOf(UpstreamException.class).hasMessageContaining("ca.pem");
        assertThatThrownBy(() -> TlsSocketFactories.trusting(dir.resolve("missing.pem").toString()))
                .isInstanceOf(UpstreamException.class).hasMessageContaining("missing.pem");
        assertThat(TlsSocketFactories.trusting("")).isNotNull();
    }

    @Test
    void theAppliedVersionsSurviveAndAnUnreadableFileMeansNoneApplied() throws Exception {
        AppliedTwins applied = new AppliedTwins(dir.resolve("state"), json);
        assertThat(applied.load()).isNull();
        applied.save(new AppliedTwins.Versions(7, 3));
        assertThat(new AppliedTwins(dir.resolve("state"), json).load()).isEqualTo(new AppliedTwins.Versions(7, 3));
        assertThat(dir.resolve("state").resolve(AppliedTwins.FILE_NAME + ".tmp")).doesNotExist();
        Files.writeString(dir.resolve("state").resolve(AppliedTwins.FILE_NAME), "{broken");
        assertThat(new AppliedTwins(dir.resolve("state"), json).load()).isNull();
    }

    @Test
    void aCloudToDeviceTopicAsTheParentEncodesItBecomesTheStoreMessageTheAmqpRelayMakes() {
        Instant now = Instant.parse("2026-05-01T10:00:00Z");
        // the parent's broker percent-encodes every key and value (PropertyBag.encodeCloudToDevice)
        String topic = "devices/leaf%201/messages/devicebound/%24.mid=m%2F1&%24.to=%2Fdevices%2Fleaf%201%2Fmessages"
                + "%2FdeviceBound&%24.cid=c1&%24.ct=application%2Fjson&%24.ce=utf-8&%24.exp=2026-05-01T10%3A00%3A30Z"
                + "&iothub-ack=negative&%24.cdid=forged&k%20ey=v%26al&bad=%zz/";
        CloudToDeviceRelay.Relayed r = MqttCloudToDevice.decode(topic, "leaf%201", "hi".getBytes(StandardCharsets.UTF_8),
                now);
        assertThat(r.timeToLiveSecs()).isEqualTo(30);
        assertThat(r.message().systemProperties()).isEqualTo(Map.of(SystemProperties.MESSAGE_ID, "m/1",
                SystemProperties.TO, "/devices/leaf 1/messages/deviceBound", SystemProperties.CORRELATION_ID, "c1",
                SystemProperties.CONTENT_TYPE, "application/json", SystemProperties.CONTENT_ENCODING, "utf-8",
                SystemProperties.EXPIRY_TIME, "2026-05-01T10:00:30Z", SystemProperties.ACK, "negative",
                SystemProperties.ENQUEUED_TIME, "2026-05-01T10:00:00Z"));
        assertThat(r.message().properties()).as("a malformed escape is kept as it came")
                .isEqualTo(Map.of("k ey", "v&al", "bad", "%zz"));
        assertThat(new String(r.message().body(), StandardCharsets.UTF_8)).isEqualTo("hi");

        CloudToDeviceRelay.Relayed bare = MqttCloudToDevice.decode("devices/d/messages/devicebound", "d", null, now);
        assertThat(bare.timeToLiveSecs()).isEqualTo(-1);
        assertThat(bare.message().systemProperty(SystemProperties.TO)).isEqualTo("/devices/d/messages/deviceBound");
        assertThat(bare.message().body()).isEmpty();
        assertThat(MqttCloudToDevice.decode("devices/d/messages/devicebound/%24.exp=2026-05-01T09%3A00%3A00Z", "d",
                new byte[0], now).timeToLiveSecs()).as("already expired: the store drops it in a second").isEqualTo(1);
        assertThat(MqttCloudToDevice.isFor("devices/d/messages/devicebound/a=b", "d")).isTrue();
        assertThat(MqttCloudToDevice.isFor("devices/d/messages/devicebound", "d")).isTrue();
        assertThat(MqttCloudToDevice.isFor("devices/dx/messages/devicebound/", "d")).isFalse();
        assertThat(MqttCloudToDevice.filter("d")).isEqualTo("devices/d/messages/devicebound/#");
    }
}
