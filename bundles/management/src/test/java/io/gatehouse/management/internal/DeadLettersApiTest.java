package io.gatehouse.management.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.api.message.Message;
import io.gatehouse.api.route.RouteTarget;
import io.gatehouse.api.store.StoreException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeadLettersApiTest {
    private static final long AT = Instant.parse("2024-05-01T12:00:00.123Z").toEpochMilli();
    private static final String UPSTREAM = "endpoint=%24upstream";

    private final ObjectMapper mapper = JsonBodies.newMapper();
    private final InMemoryMessageStore store = new InMemoryMessageStore();
    private final DeadLettersApi api = new DeadLettersApi(store, mapper);

    private static Message text(String body) {
        return Message.builder().body(body.getBytes(StandardCharsets.UTF_8)).build();
    }

    private void deadLetters(String endpoint, int count) {
        for (int i = 0; i < count; i++) {
            store.deadLetter(endpoint, 0, AT + i, "invalid", text("m" + i));
        }
    }

    private String json(ApiResponse answer) throws Exception {
        return mapper.writeValueAsString(answer.body());
    }

    @Test
    void listsTheDeadLettersOldestFirstWithTheirMessageAndATextBodyAsText() throws Exception {
        store.deadLetter("$upstream", 0, AT, "message too large for IoT Hub",
                Message.builder().body("{\"t\":21.5}".getBytes(StandardCharsets.UTF_8))
                        .systemProperty("connectionDeviceId", "edge1").systemProperty("contentType", "application/json")
                        .property("alert", "yes").build());
        store.deadLetter("$upstream", RouteTarget.DEFAULT_PRIORITY, AT + 1000, "bad", text(""));

        ApiResponse answer = api.get(null, UPSTREAM);

        assertThat(answer.status()).isEqualTo(200);
        assertThat(json(answer)).isEqualTo("{\"endpointId\":\"$upstream\",\"deadLetters\":["
                + "{\"sequence\":1,\"priority\":0,\"deadLetteredAt\":\"2024-05-01T12:00:00.123Z\","
                + "\"reason\":\"message too large for IoT Hub\",\"size\":10,"
                + "\"systemProperties\":{\"connectionDeviceId\":\"edge1\",\"contentType\":\"application/json\"},"
                + "\"properties\":{\"alert\":\"yes\"},\"bodyEncoding\":\"utf-8\",\"body\":\"{\\\"t\\\":21.5}\"},"
                + "{\"sequence\":2,\"priority\":2000000000,\"deadLetteredAt\":\"2024-05-01T12:00:01.123Z\","
                + "\"reason\":\"bad\",\"size\":0,\"systemProperties\":{},\"properties\":{},"
                + "\"bodyEncoding\":\"utf-8\",\"body\":\"\"}],\"more\":false}");
    }

    @Test
    void aBodyThatIsNotUtf8IsBase64AndSaysSo() throws Exception {
        store.deadLetter("edge1/filter/input1", 3, AT, "bad", Message.builder()
                .body(new byte[] {(byte) 0xff, 0x00, 0x01, 'a'}).build());

        ApiResponse answer = api.get("/", "endpoint=edge1%2Ffilter%2Finput1");

        JsonNode letter = answer.body().get("deadLetters").get(0);
        assertThat(letter.get("bodyEncoding").asText()).isEqualTo("base64");
        assertThat(letter.get("body").asText()).isEqualTo("/wABYQ==");
        assertThat(letter.get("size").asInt()).isEqualTo(4);
    }

    @Test
    void theEndpointMayBeGivenWithOrWithoutPercentEncoding() {
        deadLetters("edge1/filter/input1", 1);
        deadLetters("$upstream", 2);

        assertThat(api.get(null, "endpoint=edge1/filter/input1").body().get("deadLetters")).hasSize(1);
        assertThat(api.get(null, "endpoint=$upstream").body().get("deadLetters")).hasSize(2);
        assertThat(api.get(null, "endpoint=%24upstream").body().get("endpointId").asText()).isEqualTo("$upstream");
    }

    @Test
    void anEndpointWithNoDeadLettersIsAnEmptyList() throws Exception {
        ApiResponse answer = api.get(null, "endpoint=nobody");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(json(answer)).isEqualTo("{\"endpointId\":\"nobody\",\"deadLetters\":[],\"more\":false}");
    }

    @Test
    void theLimitIs100UnlessGivenAndMoreSaysWhetherThereAreMore() {
        deadLetters("edge1/f/in", 150);
        ApiResponse defaultLimit = api.get(null, "endpoint=edge1/f/in");
        assertThat(defaultLimit.body().get("deadLetters")).hasSize(100);
        assertThat(defaultLimit.body().get("more").asBoolean()).isTrue();
        deadLetters("$upstream", 3);

        ApiResponse two = api.get(null, UPSTREAM + "&limit=2");
        assertThat(two.body().get("deadLetters")).extracting(n -> n.get("sequence").asLong()).containsExactly(1L, 2L);
        assertThat(two.body().get("more").asBoolean()).isTrue();

        ApiResponse three = api.get(null, "limit=3&" + UPSTREAM);
        assertThat(three.body().get("deadLetters")).hasSize(3);
        assertThat(three.body().get("more").asBoolean()).isFalse();

        assertThat(api.get(null, UPSTREAM + "&limit=1000").status()).isEqualTo(200);
    }

    @Test
    void bodiesBeyondTheAnswersBudgetAreLeftForLaterAndMoreSaysSo() {
        int big = (int) (DeadLettersApi.ANSWER_BODY_BUDGET / 2) + 1;
        for (int i = 0; i < 3; i++) {
            store.deadLetter("$upstream", 0, AT, "too large", Message.builder().body(new byte[big]).build());
        }

        ApiResponse answer = api.get(null, UPSTREAM);

        assertThat(answer.body().get("deadLetters")).hasSize(1);
        assertThat(answer.body().get("more").asBoolean()).isTrue();
    }

    @Test
    void aMissingOrInvalidParameterIs400WithAReasonAndAsksTheStoreNothing() {
        deadLetters("$upstream", 1);

        assertRefused(api.get(null, null), 400, "endpoint query parameter is missing");
        assertRefused(api.get(null, "limit=5"), 400, "endpoint query parameter is missing");
        assertRefused(api.get(null, "endpoint="), 400, "endpoint query parameter is empty");
        assertRefused(api.get(null, "endpoint=a%0Ab"), 400, "control characters");
        assertRefused(api.get(null, UPSTREAM + "&limit=0"), 400, "limit '0' is not a whole number from 1 to 1000");
        assertRefused(api.get(null, UPSTREAM + "&limit=1001"), 400, "limit '1001'");
        assertRefused(api.get(null, UPSTREAM + "&limit=ten"), 400, "limit 'ten'");
        assertRefused(api.get(null, UPSTREAM + "&limit="), 400, "limit ''");
        assertRefused(api.get(null, UPSTREAM + "&limt=5"), 400, "unknown query parameter 'limt'");
        assertRefused(api.get(null, UPSTREAM + "&endpoint=x"), 400, "'endpoint' is given more than once");
        assertRefused(api.get(null, "endpoint=%2"), 400, "malformed percent-encoding");

        assertThat(store.pagesAsked).isEmpty();
    }

    @Test
    void purgeDeletesTheEndpointsDeadLettersAndSaysHowMany() throws Exception {
        deadLetters("$upstream", 2);
        deadLetters("edge1/filter/input1", 1);

        ApiResponse answer = api.delete(null, UPSTREAM);

        assertThat(answer.status()).isEqualTo(200);
        assertThat(json(answer)).isEqualTo("{\"endpointId\":\"$upstream\",\"purged\":2}");
        assertThat(store.deadLetters("$upstream", 10)).isEmpty();
        assertThat(store.deadLetters("edge1/filter/input1", 10)).hasSize(1);
        assertThat(json(api.delete(null, UPSTREAM))).isEqualTo("{\"endpointId\":\"$upstream\",\"purged\":0}");
    }

    @Test
    void requeuePutsTheDeadLettersBackInTheQueueOfTheirPriorityAndSaysHowMany() throws Exception {
        store.deadLetter("$upstream", 0, AT, "bad", text("a"));
        store.deadLetter("$upstream", 5, AT, "bad", text("b"));

        ApiResponse answer = api.post("/requeue", UPSTREAM);

        assertThat(answer.status()).isEqualTo(200);
        assertThat(json(answer)).isEqualTo("{\"endpointId\":\"$upstream\",\"requeued\":2}");
        assertThat(store.queued("$upstream", 0)).containsExactly(text("a"));
        assertThat(store.queued("$upstream", 5)).containsExactly(text("b"));
        assertThat(store.deadLetters("$upstream", 10)).isEmpty();
    }

    @Test
    void purgeAndRequeueTakeOnlyTheEndpointAndChangeNothingWhenRefused() {
        deadLetters("$upstream", 1);

        assertRefused(api.delete(null, null), 400, "endpoint query parameter is missing");
        assertRefused(api.delete(null, UPSTREAM + "&limit=5"), 400, "unknown query parameter 'limit'");
        assertRefused(api.post("/requeue", "endpoint="), 400, "endpoint query parameter is empty");
        assertRefused(api.post("/requeue", UPSTREAM + "&all=true"), 400, "unknown query parameter 'all'");

        assertThat(store.deadLetters("$upstream", 10)).hasSize(1);
        assertThat(store.queued("$upstream", 0)).isEmpty();
    }

    @Test
    void aStoreThatCannotPurgeOrRequeueIs507WithItsReasonAndNothingChanges() {
        deadLetters("$upstream", 1);
        store.failure = new StoreException("no space left on device");

        assertRefused(api.delete(null, UPSTREAM), 507,
                "the store could not purge the dead letters of $upstream: no space left on device");
        assertRefused(api.post("/requeue", UPSTREAM), 507,
                "the store could not requeue the dead letters of $upstream: no space left on device");

        assertThat(store.deadLetters("$upstream", 10)).hasSize(1);
        assertThat(store.queued("$upstream", 0)).isEmpty();
    }

    @Test
    void withoutAStoreEveryActionIs503ButABadRequestIsStill400() {
        DeadLettersApi away = new DeadLettersApi(null, mapper);

        assertRefused(away.get(null, UPSTREAM), 503, "message store is not available");
        assertRefused(away.delete(null, UPSTREAM), 503, "io.gatehouse.store");
        assertRefused(away.post("/requeue", UPSTREAM), 503, "io.gatehouse.store");
        assertRefused(away.get(null, "limit=5"), 400, "endpoint query parameter is missing");
    }

    @Test
    void otherPathsAndMethodsSayWhatToUse() {
        deadLetters("$upstream", 1);

        assertRefused(api.get("/requeue", UPSTREAM), 405, "POST /api/deadletters/requeue");
        assertRefused(api.delete("/requeue", UPSTREAM), 405, "DELETE /api/deadletters?endpoint=");
        assertRefused(api.post(null, UPSTREAM), 405, "POST /api/deadletters/requeue");
        assertRefused(api.get("/$upstream", null), 404, "?endpoint=<endpointId>");
        assertRefused(api.post("/requeue/now", UPSTREAM), 404, "no such resource");

        assertThat(store.deadLetters("$upstream", 10)).hasSize(1);
    }

    private static void assertRefused(ApiResponse answer, int status, String reason) {
        assertThat(answer.status()).isEqualTo(status);
        assertThat(answer.body().get("error").asText()).contains(reason);
    }
}
