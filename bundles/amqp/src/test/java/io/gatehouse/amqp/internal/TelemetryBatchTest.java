package io.gatehouse.amqp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.api.message.Message;
import io.gatehouse.api.message.SystemProperties;
import io.gatehouse.api.route.EndpointIds;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.messaging.Accepted;
import org.apache.qpid.proton.amqp.messaging.AmqpValue;
import org.apache.qpid.proton.amqp.messaging.Data;
import org.apache.qpid.proton.amqp.messaging.MessageAnnotations;
import org.apache.qpid.proton.amqp.messaging.Rejected;
import org.apache.qpid.proton.amqp.transport.DeliveryState;
import org.apache.qpid.proton.engine.Delivery;
import org.apache.qpid.proton.engine.Sender;
import org.junit.jupiter.api.Test;

/** Batched telemetry: one transfer of message-format 0x80013700 whose Data sections are messages. */
class TelemetryBatchTest extends HeadFixture {

    /** The batch encoding: an envelope, then one Data section per encoded message. */
    static byte[] batch(List<byte[]> encodedMessages) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        org.apache.qpid.proton.message.Message envelope = org.apache.qpid.proton.message.Message.Factory.create();
        envelope.setMessageAnnotations(new MessageAnnotations(Map.of(Symbol.valueOf("x-opt-envelope"), "ignored")));
        out.writeBytes(AmqpMessages.encode(envelope, 0));
        for (byte[] m : encodedMessages) {
            // a message holding only a body is encoded as exactly that section
            org.apache.qpid.proton.message.Message section = org.apache.qpid.proton.message.Message.Factory.create();
            section.setBody(new Data(new Binary(m)));
            out.writeBytes(AmqpMessages.encode(section, m.length));
        }
        return out.toByteArray();
    }

    static byte[] encoded(String body, Map<String, Object> properties) {
        return AmqpMessages.encode(telemetry(body, properties), body.length());
    }

    DeliveryState sendBatch(ProtonClient c, Sender events, byte[] batch) {
        Delivery d = c.sendNoWait(events, batch, BatchDecoder.BATCH_FORMAT);
        c.await(() -> d.getRemoteState() != null);
        return d.getRemoteState();
    }

    @Test
    void aBatchIsAcceptedOnlyOnceEveryMessageIsStoredInOrderStampedWithTheLinksIdentity() throws Exception {
        try (ProtonClient c = plain(D1, KEY1)) {
            Sender events = c.sender("/devices/d1/messages/events");
            store.holdAppends();
            Delivery d = c.sendNoWait(events, batch(List.of(
                    encoded("one", Map.of("n", "1")),
                    encoded("two", Map.of("n", "2", "iothub-connection-device-id", "someone-else")),
                    encoded("three", Map.of("n", "3")))), BatchDecoder.BATCH_FORMAT);

            assertThat(c.await(() -> d.getRemoteState() != null, 500)).as("outcome before the appends returned").isFalse();
            store.releaseAppends();
            assertThat(c.await(() -> d.getRemoteState() != null)).isTrue();
            assertThat((Object) d.getRemoteState()).isInstanceOf(Accepted.class);
        }
        List<Message> stored = store.messagesOf(EndpointIds.UPSTREAM);
        assertThat(stored).extracting(m -> new String(m.body(), StandardCharsets.UTF_8)).containsExactly("one", "two", "three");
        assertThat(stored).extracting(m -> m.properties().get("n")).containsExactly("1", "2", "3");
        assertThat(stored).allSatisfy(m -> {
            assertThat(m.systemProperty(SystemProperties.CONNECTION_DEVICE_ID)).isEqualTo("d1");
            assertThat(m.systemProperty(SystemProperties.MESSAGE_ID)).isEqualTo("mid-1");
            assertThat(m.properties()).doesNotContainKey("iothub-connection-device-id");
        });
    }

    @Test
    void anEmptyBatchOrOneWithAnUndecodableSectionIsRejectedAndNothingIsStored() throws Exception {
        try (ProtonClient c = plain(D1, KEY1)) {
            Sender events = c.sender("/devices/d1/messages/events");

            DeliveryState empty = sendBatch(c, events, batch(List.of()));
            assertThat((Object) empty).isInstanceOf(Rejected.class);
            assertThat(((Rejected) empty).getError().getCondition().toString()).isEqualTo("amqp:decode-error");
            assertThat(((Rejected) empty).getError().getDescription()).contains("no message");

            byte[] garbage = "not an AMQP message".getBytes(StandardCharsets.UTF_8);
            DeliveryState broken = sendBatch(c, events, batch(List.of(encoded("fine", Map.of()), garbage)));
            assertThat((Object) broken).isInstanceOf(Rejected.class);
            assertThat(((Rejected) broken).getError().getCondition().toString()).isEqualTo("amqp:decode-error");
            assertThat(((Rejected) broken).getError().getDescription()).contains("message 2 of the batch");

            // a body that is not Data sections
            org.apache.qpid.proton.message.Message value = org.apache.qpid.proton.message.Message.Factory.create();
            value.setBody(new AmqpValue("a value, not messages"));
            DeliveryState notData = sendBatch(c, events, AmqpMessages.encode(value, 0));
            assertThat((Object) notData).isInstanceOf(Rejected.class);
            assertThat(((Rejected) notData).getError().getCondition().toString()).isEqualTo("amqp:decode-error");

            assertThat(store.messagesOf(EndpointIds.UPSTREAM)).isEmpty();
            assertThat((Object) sendBatch(c, events, batch(List.of(encoded("after", Map.of())))))
                    .as("the link goes on").isInstanceOf(Accepted.class);
        }
        assertThat(store.messagesOf(EndpointIds.UPSTREAM)).hasSize(1);
    }

    @Test
    void aBatchTheStoreRefusesIsRejectedWithTheStoresReason() throws Exception {
        store.refuseAppends("over quota (simulated)");
        try (ProtonClient c = plain(D1, KEY1)) {
            Sender events = c.sender("/devices/d1/messages/events");
            DeliveryState state = sendBatch(c, events, batch(List.of(encoded("a", Map.of()), encoded("b", Map.of()))));
            assertThat((Object) state).isInstanceOf(Rejected.class);
            assertThat(((Rejected) state).getError().getCondition().toString()).isEqualTo("amqp:resource-limit-exceeded");
            assertThat(((Rejected) state).getError().getDescription()).contains("message 1 of the batch of 2").contains("over quota");
        }
    }

    @Test
    void aBatchOverTheSizeLimitIsRejected() throws Exception {
        try (ProtonClient c = plain(D1, KEY1)) {
            Sender events = c.sender("/devices/d1/messages/events");
            DeliveryState state = sendBatch(c, events, batch(List.of(encoded("x".repeat(2500), Map.of()),
                    encoded("y".repeat(2500), Map.of()))));
            assertThat((Object) state).isInstanceOf(Rejected.class);
            assertThat(((Rejected) state).getError().getCondition().toString()).isEqualTo("amqp:link:message-size-exceeded");
        }
        assertThat(store.messagesOf(EndpointIds.UPSTREAM)).isEmpty();
    }
}
