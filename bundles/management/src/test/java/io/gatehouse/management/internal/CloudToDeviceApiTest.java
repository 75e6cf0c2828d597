package io.gatehouse.management.internal;

import static io.gatehouse.management.internal.Bodies.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.message.Message;
import io.gatehouse.api.message.SystemProperties;
import io.gatehouse.api.store.QueueStatus;
import io.gatehouse.api.store.StoreException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CloudToDeviceApiTest {
    private static final String PATH = "/press-7/messages/devicebound";
    private static final String QUEUE = "$c2d/press-7";
    private static final Instant NOW = Instant.parse("2026-11-26T15:00:00Z");
    private final ObjectMapper mapper = JsonBodies.newMapper();
    private final InMemoryIdentityRegistry registry = new InMemoryIdentityRegistry();
    private final InMemoryMessageStore store = new InMemoryMessageStore();
    private final CloudToDeviceApi api = new CloudToDeviceApi(registry, store, mapper, Clock.fixed(NOW, ZoneOffset.UTC),
            new Object());

    {
        registry.add(IdentityId.device("press-7"), null, null);
        registry.add(IdentityId.module("press-7", "filter"), null, null);
    }

    @Test
    void aMessageIsQueuedForTheDeviceWithItsPropertiesAndAnswered202() {
        ApiResponse answer = api.send(PATH, json("{'body': 'open valve 3', 'properties': {'urgency': 'high', 'zone': 'b'},"
                + "'messageId': 'm-1', 'correlationId': 'c-9', 'contentType': 'text/plain', 'contentEncoding': 'utf-8',"
                + "'ttlSeconds': 600, 'ack': 'full'}"));

        assertThat(answer.status()).isEqualTo(202);
        assertThat(answer.body().toString()).isEqualTo("{\"messageId\":\"m-1\",\"deviceId\":\"press-7\",\"queued\":true}");
        List<Message> queued = store.queued(QUEUE, 0);
        assertThat(queued).hasSize(1);
        Message m = queued.get(0);
        assertThat(new String(m.body(), StandardCharsets.UTF_8)).isEqualTo("open valve 3");
        assertThat(m.systemProperties()).containsEntry(SystemProperties.MESSAGE_ID, "m-1")
                .containsEntry(SystemProperties.TO, "/devices/press-7/messages/deviceBound")
                .containsEntry(SystemProperties.CORRELATION_ID, "c-9")
                .containsEntry(SystemProperties.CONTENT_TYPE, "text/plain")
                .containsEntry(SystemProperties.CONTENT_ENCODING, "utf-8")
                .containsEntry(SystemProperties.ACK, "full")
                .containsEntry(SystemProperties.EXPIRY_TIME, "2026-11-26T15:10:00Z")
                .containsEntry(SystemProperties.ENQUEUED_TIME, "2026-11-26T15:00:00Z");
        assertThat(m.properties()).containsExactly(Map.entry("urgency", "high"), Map.entry("zone", "b"));
        assertThat(store.ttls(QUEUE, 0)).containsExactly(600L);
    }

    @Test
    void withoutAMessageIdOneIsMadeAndTheTimeToLiveIsAnHour() {
        ApiResponse answer = api.send(PATH, json("{'body': ''}"));

        assertThat(answer.status()).isEqualTo(202);
        String id = answer.body().get("messageId").asText();
        assertThat(id).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
        Message m = store.queued(QUEUE, 0).get(0);
        assertThat(m.systemProperty(SystemProperties.MESSAGE_ID)).isEqualTo(id);
        assertThat(m.body()).isEmpty();
        assertThat(m.systemProperties()).doesNotContainKeys(SystemProperties.ACK, SystemProperties.CORRELATION_ID,
                SystemProperties.CONTENT_TYPE);
        assertThat(m.systemProperty(SystemProperties.EXPIRY_TIME)).isEqualTo("2026-11-26T16:00:00Z");
        assertThat(store.ttls(QUEUE, 0)).containsExactly(3600L);
    }

    @Test
    void anUnknownDeviceIs404AModulePathIs400AndOtherPathsAre404AndNothingIsQueued() {
        byte[] body = json("{'body': 'x'}");
        ApiResponse unknown = api.send("/press-8/messages/devicebound", body);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.body().get("error").asText()).isEqualTo("device press-8 is not registered");
        ApiResponse module = api.send("/press-7/modules/filter/messages/devicebound", body);
        assertThat(module.status()).isEqualTo(400);
        assertThat(module.body().get("error").asText()).contains("not to modules");
        for (String path : new String[] {null, "/", "/press-7", "/press-7/messages", "//messages/devicebound",
                "/press-7/messages/events", "/press-7/messages/devicebound/x"}) {
            assertThat(api.send(path, body).status()).as(path).isEqualTo(404);
        }
        assertThat(store.queues()).isEmpty();
    }

    @Test
    void badRequestsAre400WithAReasonAndQueueNothing() {
        assertRefused(400, "{'properties': {}}", "body is required");
        assertRefused(400, "{'body': {'valve': 3}}", "body must be a string, not an object");
        assertRefused(400, "{'body': 'x', 'ttl': 5}", "unknown field \"ttl\"");
        assertRefused(400, "{'body': 'x', 'ttlSeconds': 0}", "ttlSeconds must be a whole number of seconds from 1 to 172800");
        assertRefused(400, "{'body': 'x', 'ttlSeconds': 172801}", "from 1 to 172800");
        assertRefused(400, "{'body': 'x', 'ttlSeconds': 60.5}", "not 60.5");
        assertRefused(400, "{'body': 'x', 'ttlSeconds': '60'}", "not a string");
        assertRefused(400, "{'body': 'x', 'ack': 'all'}", "ack must be one of none, positive, negative, full");
        assertRefused(400, "{'body': 'x', 'properties': {'n': 1}}", "properties.n must be a string, not a number");
        assertRefused(400, "{'body': 'x', 'properties': ['a']}", "properties must be a JSON object of strings");
        assertRefused(400, "{'body': 'x', 'properties': {'$.mid': 'y'}}", "starts with $");
        assertRefused(400, "{'body': 'x', 'messageId': ''}", "messageId must not be empty");
        assertRefused(400, "{'body': 'x', 'messageId': '" + "m".repeat(129) + "'}", "messageId is 129 characters; at most 128");
        assertRefused(400, "{'body': 'x'", "malformed JSON");
        assertRefused(413, "{'body': '" + "é".repeat(32 * 1024 + 1) + "'}",
                "the body is 65538 bytes; a cloud-to-device message holds at most 65536");
        assertThat(store.queues()).isEmpty();
    }

    @Test
    void aBodyOfExactly64KiBIsTaken() {
        assertThat(api.send(PATH, json("{'body': '" + "x".repeat(65536) + "'}")).status()).isEqualTo(202);
    }

    private void assertRefused(int status, String body, String reason) {
        ApiResponse answer = api.send(PATH, json(body));
        assertThat(answer.status()).as(body).isEqualTo(status);
        assertThat(answer.body().get("error").asText()).as(body).contains(reason);
    }

    @Test
    void theFiftyFirstWaitingMessageIsRefusedWith429AndNotQueued() {
        for (int i = 0; i < CloudToDeviceApi.MAX_PENDING; i++) {
            assertThat(api.send(PATH, json("{'body': 'm" + i + "'}")).status()).isEqualTo(202);
        }

        ApiResponse full = api.send(PATH, json("{'body': 'one more'}"));

        assertThat(full.status()).isEqualTo(429);
        assertThat(full.body().get("error").asText()).contains("already has 50 cloud-to-device messages waiting");
        assertThat(store.queued(QUEUE, 0)).hasSize(50);
        assertThat(api.pending(PATH).body().get("pending").asLong()).isEqualTo(50);
    }

    @Test
    void theDepthCountsEveryPriorityOfTheDevicesQueueOnly() {
        store.statuses = List.of(new QueueStatus(QUEUE, 0, 30, 30, 0, 0), new QueueStatus(QUEUE, 5, 20, 20, 0, 0),
                new QueueStatus("$c2d/press-77", 0, 9, 9, 0, 0), new QueueStatus("$upstream", 0, 900, 900, 0, 0));

        assertThat(api.send(PATH, json("{'body': 'x'}")).status()).isEqualTo(429);
        assertThat(store.queued(QUEUE, 0)).isEmpty();
        ApiResponse pending = api.pending(PATH);
        assertThat(pending.status()).isEqualTo(200);
        assertThat(pending.body().toString()).isEqualTo("{\"deviceId\":\"press-7\",\"pending\":50}");
        assertThat(api.pending("/press-77/messages/devicebound").body().get("pending").asLong()).isEqualTo(9);
    }

    @Test
    void aStoreThatCannotWriteIs507() {
        store.failure = new StoreException("no space left on device");

        ApiResponse answer = api.send(PATH, json("{'body': 'x'}"));

        assertThat(answer.status()).isEqualTo(507);
        assertThat(answer.body().get("error").asText())
                .isEqualTo("the store could not queue the message for press-7: no space left on device");
    }

    @Test
    void withoutAStoreOrARegistryItIs503() {
        ApiResponse noStore = new CloudToDeviceApi(registry, null, mapper, Clock.systemUTC(), new Object())
                .send(PATH, json("{'body': 'x'}"));
        assertThat(noStore.status()).isEqualTo(503);
        assertThat(noStore.body().get("error").asText()).contains("io.gatehouse.store");
        ApiResponse noRegistry = new CloudToDeviceApi(null, store, mapper, Clock.systemUTC(), new Object())
                .send(PATH, json("{'body': 'x'}"));
        assertThat(noRegistry.status()).isEqualTo(503);
        assertThat(noRegistry.body().get("error").asText()).contains("io.gatehouse.auth");
        assertThat(new CloudToDeviceApi(registry, null, mapper, Clock.systemUTC(), new Object()).pending(PATH).status())
                .isEqualTo(503);
        assertThat(store.queues()).isEmpty();
    }

    @Test
    void theServletTakesTheDevicePathAndAnswersJsonNoCacheKeeps() throws Exception {
        DeviceMessagesServlet servlet = new DeviceMessagesServlet();
        servlet.registry = registry;
        servlet.store = store;
        byte[] body = json("{'body': 'x', 'messageId': 'm-2'}");
        ServletExchange post = new ServletExchange("POST", "/api/devices" + PATH, PATH, null, body, body.length);
        servlet.doPost(post.request, post.response);

        assertThat(post.status).isEqualTo(202);
        assertThat(post.body()).isEqualTo("{\"messageId\":\"m-2\",\"deviceId\":\"press-7\",\"queued\":true}");
        assertThat(post.headers).containsEntry("Cache-Control", "no-store");

        ServletExchange get = new ServletExchange("GET", "/api/devices" + PATH, PATH, null, new byte[0], 0);
        servlet.doGet(get.request, get.response);
        assertThat(get.status).isEqualTo(200);
        assertThat(get.body()).isEqualTo("{\"deviceId\":\"press-7\",\"pending\":1}");
    }
}
