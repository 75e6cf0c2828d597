package io.gatehouse.amqp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.api.twin.Twin;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.messaging.Accepted;
import org.apache.qpid.proton.amqp.messaging.Data;
import org.apache.qpid.proton.amqp.messaging.MessageAnnotations;
import org.apache.qpid.proton.amqp.messaging.Properties;
import org.apache.qpid.proton.amqp.messaging.Rejected;
import org.apache.qpid.proton.amqp.transport.DeliveryState;
import org.apache.qpid.proton.amqp.transport.ErrorCondition;
import org.apache.qpid.proton.engine.Delivery;
import org.apache.qpid.proton.engine.Sender;
import org.apache.qpid.proton.message.Message;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The twin link at the protocol level: what the SDK never sends, and what it cannot show. */
class TwinLinkTest extends HeadFixture {
    InMemoryTwinStore twins = new InMemoryTwinStore();

    @BeforeEach
    void bindTwins() {
        twins.addListener(head);
        head.bindTwinStore(twins);
    }

    static Map<Symbol, Object> channel() {
        return Map.of(Symbol.valueOf("com.microsoft:channel-correlation-id"), "twin:" + UUID.randomUUID());
    }

    static Message request(String operation, String resource, String body) {
        Message m = Message.Factory.create();
        Properties p = new Properties();
        p.setMessageId(UUID.randomUUID());
        p.setCorrelationId(UUID.randomUUID());
        m.setProperties(p);
        Map<Symbol, Object> annotations = new HashMap<>();
        annotations.put(Symbol.valueOf("operation"), operation);
        if (resource != null) annotations.put(Symbol.valueOf("resource"), resource);
        m.setMessageAnnotations(new MessageAnnotations(annotations));
        m.setBody(new Data(new Binary(body.getBytes(StandardCharsets.UTF_8))));
        return m;
    }

    record Answer(Message message, int status, Object version, String body) {
    }

    static Answer ask(ProtonClient c, ProtonClient.Node node, Message request) {
        ProtonClient.Received reply = c.ask(node, request);
        assertThat(reply).as("an answer to " + request.getMessageAnnotations().getValue()).isNotNull();
        Message m = reply.message();
        assertThat(m.getCorrelationId()).as("correlated, of the same type").isEqualTo(request.getCorrelationId());
        Map<Symbol, Object> annotations = m.getMessageAnnotations().getValue();
        return new Answer(m, (Integer) annotations.get(Symbol.valueOf("status")), annotations.get(Symbol.valueOf("version")),
                bodyText(m));
    }

    @Test
    void getPatchAndDesiredPatchesOnlyAfterPut() throws Exception {
        try (ProtonClient c = plain(M1, KEYM)) {
            ProtonClient.Node node = c.node("/devices/d1/modules/m1/twin", channel());

            Answer get = ask(c, node, request("GET", null, ""));
            assertThat(get.status()).isEqualTo(200);
            assertThat(get.body()).isEqualTo("{\"desired\":{\"$version\":1},\"reported\":{\"$version\":1}}");

            Answer patch = ask(c, node, request("PATCH", "/properties/reported", "{\"firmware\":\"1.2\"}"));
            assertThat(patch.status()).isEqualTo(204);
            assertThat(patch.version()).isEqualTo(2L);
            assertThat(twins.get(M1).reportedJson()).isEqualTo("{\"firmware\":\"1.2\"}");

            twins.patchDesired(M1, "{\"before\":1}");
            assertThat(c.receive(node.replies(), 300)).as("no desired patch before PUT").isNull();

            assertThat(ask(c, node, request("PUT", "/notifications/twin/properties/desired", "")).status()).isEqualTo(204);
            twins.patchDesired(M1, "{\"threshold\":9}");
            ProtonClient.Received pushed = c.receive(node.replies(), 3000);
            assertThat(pushed).isNotNull();
            assertThat(pushed.message().getCorrelationId()).as("a notification carries no correlation-id").isNull();
            assertThat(pushed.message().getMessageAnnotations().getValue()).containsEntry(Symbol.valueOf("version"), 3L);
            assertThat(bodyText(pushed.message())).isEqualTo("{\"threshold\":9,\"$version\":3}");
            c.settle(pushed.delivery(), Accepted.getInstance());

            twins.patchDesired(D1, "{\"forTheDevice\":true}");
            assertThat(c.receive(node.replies(), 300)).as("another identity's patch").isNull();

            assertThat(ask(c, node, request("DELETE", "/notifications/twin/properties/desired", "")).status()).isEqualTo(204);
            twins.patchDesired(M1, "{\"after\":1}");
            assertThat(c.receive(node.replies(), 300)).as("no desired patch after DELETE").isNull();
        }
    }

    @Test
    void aRefusedPatchIsAnswered400WithTheReasonAndChangesNothing() throws Exception {
        twins.patchReported(D1, "{\"kept\":true}");
        try (ProtonClient c = plain(D1, KEY1)) {
            ProtonClient.Node node = c.node("/devices/d1/twin", channel());
            Answer malformed = ask(c, node, request("PATCH", "/properties/reported", "{\"broken\":"));
            assertThat(malformed.status()).isEqualTo(400);
            assertThat(malformed.body()).startsWith("{\"message\":\"the patch is not JSON");
            Answer notObject = ask(c, node, request("PATCH", "/properties/reported", "[1,2]"));
            assertThat(notObject.status()).isEqualTo(400);
            assertThat(notObject.body()).contains("JSON object");
            assertThat(notObject.version()).isNull();
        }
        Twin twin = twins.get(D1);
        assertThat(twin.reportedJson()).isEqualTo("{\"kept\":true}");
        assertThat(twin.reportedVersion()).isEqualTo(2);
    }

    @Test
    void unknownOperationsAndResourcesAreAnswered400AndARequestWithoutCorrelationIdIsRejected() throws Exception {
        try (ProtonClient c = plain(D1, KEY1)) {
            ProtonClient.Node node = c.node("/devices/d1/twin", channel());
            Answer unknown = ask(c, node, request("POST", null, ""));
            assertThat(unknown.status()).isEqualTo(400);
            assertThat(unknown.body()).contains("unknown twin operation POST");
            Answer desiredPatch = ask(c, node, request("PATCH", "/properties/desired", "{\"x\":1}"));
            assertThat(desiredPatch.status()).as("a client may not patch desired properties").isEqualTo(400);
            assertThat(ask(c, node, request("PUT", "/properties/reported", "")).status()).isEqualTo(400);

            Message uncorrelated = request("GET", null, "");
            uncorrelated.getProperties().setCorrelationId(null);
            Delivery d = c.sendNoWait(node.requests(), uncorrelated);
            c.await(() -> d.getRemoteState() != null);
            assertThat((Object) d.getRemoteState()).isInstanceOf(Rejected.class);
            assertThat(((Rejected) d.getRemoteState()).getError().getCondition().toString()).isEqualTo("amqp:invalid-field");
            assertThat(c.receive(node.replies(), 300)).isNull();
        }
        assertThat(twins.get(D1).desiredVersion()).isEqualTo(1);
    }

    @Test
    void withoutATwinStoreRequestsAreAnswered503() throws Exception {
        head.unbindTwinStore(twins);
        try (ProtonClient c = plain(D1, KEY1)) {
            ProtonClient.Node node = c.node("/devices/d1/twin", channel());
            assertThat(ask(c, node, request("GET", null, "")).status()).isEqualTo(503);
            assertThat(ask(c, node, request("PATCH", "/properties/reported", "{\"a\":1}")).status()).isEqualTo(503);
        }
        assertThat(twins.get(D1).reportedVersion()).isEqualTo(1);
    }

    @Test
    void twinLinksOfAnIdentityNotAuthenticatedHereAreRefused() throws Exception {
        try (ProtonClient c = plain(D1, KEY1)) {
            ProtonClient.Node other = c.node("/devices/d2/twin", channel());
            ErrorCondition refused = c.detachCondition(other.requests(), 2000);
            assertThat(refused.getCondition().toString()).isEqualTo("amqp:unauthorized-access");
            assertThat(c.detachCondition(other.replies(), 2000).getCondition().toString()).isEqualTo("amqp:unauthorized-access");
        }
    }

    @Test
    void theStoreIsCalledOffTheNetworkThread() throws Exception {
        try (ProtonClient c = plain(D1, KEY1)) {
            ProtonClient.Node node = c.node("/devices/d1/twin", channel());
            Sender events = c.sender("/devices/d1/messages/events");
            twins.holdCalls();
            Message get = request("GET", null, "");
            Delivery request = c.sendNoWait(node.requests(), get);
            // while the twin store is stuck, the same connection still stores telemetry
            DeliveryState telemetry = c.send(events, telemetry("meanwhile", Map.of()));
            assertThat((Object) telemetry).isInstanceOf(Accepted.class);
            assertThat(request.getRemoteState()).as("the twin request waits for the store").isNull();
            twins.releaseCalls();
            ProtonClient.Received reply = c.receive(node.replies(), 3000);
            assertThat(reply).isNotNull();
            assertThat(reply.message().getCorrelationId()).isEqualTo(get.getCorrelationId());
            assertThat((Object) request.getRemoteState()).as("settled with the answer").isInstanceOf(Accepted.class);
        }
    }
}
