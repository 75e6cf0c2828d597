package io.gatehouse.amqp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.api.method.MethodInvocationException;
import io.gatehouse.api.method.MethodRequest;
import io.gatehouse.api.method.MethodResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.messaging.Accepted;
import org.apache.qpid.proton.amqp.messaging.ApplicationProperties;
import org.apache.qpid.proton.amqp.messaging.Data;
import org.apache.qpid.proton.amqp.messaging.Properties;
import org.apache.qpid.proton.amqp.messaging.Rejected;
import org.apache.qpid.proton.amqp.transport.DeliveryState;
import org.apache.qpid.proton.message.Message;
import org.junit.jupiter.api.Test;

/** The head as a MethodInvoker over the methods links, at the protocol level. */
class MethodLinkTest extends HeadFixture {

    static Map<Symbol, Object> channel() {
        return Map.of(Symbol.valueOf("com.microsoft:channel-correlation-id"), "methods:" + UUID.randomUUID());
    }

    static MethodRequest call(String name, Duration response, Duration connect) {
        return new MethodRequest(D1, name, "{\"level\":3}", response, connect);
    }

    static Message answer(Object correlationId, Object status, String payload) {
        Message m = Message.Factory.create();
        Properties p = new Properties();
        p.setCorrelationId(correlationId);
        m.setProperties(p);
        Map<String, Object> props = new HashMap<>();
        if (status != null) props.put("IoThub-status", status);
        m.setApplicationProperties(new ApplicationProperties(props));
        m.setBody(new Data(new Binary(payload.getBytes(StandardCharsets.UTF_8))));
        return m;
    }

    static MethodInvocationException failure(CompletableFuture<MethodResult> result) {
        try {
            result.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof MethodInvocationException m) return m;
            throw new AssertionError("failed otherwise", e.getCause());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("succeeded");
    }

    @Test
    void aCallGoesOutWithAUuidAndTheMethodNameAndCompletesWithTheAnswer() throws Exception {
        assertThat(head.holds(D1)).isFalse();
        try (ProtonClient c = plain(D1, KEY1)) {
            // attached before the call: the call waits within its connect timeout for nothing
            ProtonClient.Node node = c.node("/devices/d1/methods/devicebound", channel());
            assertThat(c.await(() -> head.holds(D1))).isTrue();

            CompletableFuture<MethodResult> result = head.invoke(call("reset", Duration.ofSeconds(10), Duration.ZERO))
                    .toCompletableFuture();
            ProtonClient.Received request = c.receive(node.replies(), 3000);
            assertThat(request).isNotNull();
            Object correlationId = request.message().getCorrelationId();
            assertThat(correlationId).as("the SDK answers with UUID.fromString of it").isInstanceOf(UUID.class);
            assertThat(request.message().getApplicationProperties().getValue()).containsEntry("IoThub-methodname", "reset");
            assertThat(bodyText(request.message())).isEqualTo("{\"level\":3}");
            c.settle(request.delivery(), Accepted.getInstance());

            DeliveryState state = c.send(node.requests(), answer(correlationId, 200, "{\"done\":true}"));
            assertThat((Object) state).isInstanceOf(Accepted.class);
            MethodResult got = result.get(3, TimeUnit.SECONDS);
            assertThat(got.status()).isEqualTo(200);
            assertThat(got.payloadJson()).isEqualTo("{\"done\":true}");

            node.replies().close();
            assertThat(c.await(() -> !head.holds(D1))).as("held only while both links are attached").isTrue();
        }
    }

    @Test
    void aCallWaitsForTheLinksWithinItsConnectTimeout() throws Exception {
        CompletableFuture<MethodResult> result = head.invoke(call("later", Duration.ofSeconds(10), Duration.ofSeconds(10)))
                .toCompletableFuture();
        try (ProtonClient c = plain(D1, KEY1)) {
            ProtonClient.Node node = c.node("/devices/d1/methods/deviceBound", channel());
            ProtonClient.Received request = c.receive(node.replies(), 3000);
            assertThat(request).as("sent once the links are attached").isNotNull();
            // a string correlation-id from other clients is matched too
            c.send(node.requests(), answer(request.message().getCorrelationId().toString(), "201", ""));
            MethodResult got = result.get(3, TimeUnit.SECONDS);
            assertThat(got.status()).isEqualTo(201);
            assertThat(got.payloadJson()).isNull();
        }
    }

    @Test
    void noLinksWithinTheConnectTimeoutIs404AndAConnectedClientWithoutThemToo() throws Exception {
        MethodInvocationException now = failure(head.invoke(call("m", Duration.ofSeconds(5), Duration.ZERO)).toCompletableFuture());
        assertThat(now.status()).isEqualTo(404);
        try (ProtonClient c = plain(D1, KEY1)) {
            long start = System.nanoTime();
            MethodInvocationException later = failure(head.invoke(call("m", Duration.ofSeconds(5), Duration.ofSeconds(1)))
                    .toCompletableFuture());
            assertThat(later.status()).isEqualTo(404);
            assertThat(later.getMessage()).contains("d1").contains("methods links");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
        }
    }

    @Test
    void noAnswerWithinTheResponseTimeoutIs504AndAnotherIdentitysAnswerDoesNotCount() throws Exception {
        try (ProtonClient c = plain(D1, KEY1); ProtonClient other = plain(D2, KEY2)) {
            ProtonClient.Node node = c.node("/devices/d1/methods/devicebound", channel());
            ProtonClient.Node otherNode = other.node("/devices/d2/methods/devicebound", channel());
            assertThat(c.await(() -> head.holds(D1))).isTrue();
            CompletableFuture<MethodResult> result = head.invoke(call("slow", Duration.ofSeconds(5), Duration.ZERO))
                    .toCompletableFuture();
            ProtonClient.Received request = c.receive(node.replies(), 3000);
            assertThat(request).isNotNull();

            // d2 may not answer d1's call
            other.send(otherNode.requests(), answer(request.message().getCorrelationId(), 200, "{}"));
            // an answer without IoThub-status is refused
            DeliveryState noStatus = c.send(node.requests(), answer(request.message().getCorrelationId(), null, "{}"));
            assertThat((Object) noStatus).isInstanceOf(Rejected.class);
            assertThat(((Rejected) noStatus).getError().getDescription()).contains("IoThub-status");

            MethodInvocationException timedOut = failure(result);
            assertThat(timedOut.status()).isEqualTo(504);
            assertThat(timedOut.getMessage()).contains("slow").contains("5 s");
        }
    }

    @Test
    void theClientLeavingFailsItsCallsAt404AndInvalidCallsAreRefused() throws Exception {
        CompletableFuture<MethodResult> result;
        try (ProtonClient c = plain(D1, KEY1)) {
            ProtonClient.Node node = c.node("/devices/d1/methods/devicebound", channel());
            assertThat(c.await(() -> head.holds(D1))).isTrue();
            result = head.invoke(call("reboot", Duration.ofSeconds(60), Duration.ZERO)).toCompletableFuture();
            assertThat(c.receive(node.replies(), 3000)).isNotNull();
        }
        MethodInvocationException left = failure(result);
        assertThat(left.status()).isEqualTo(404);
        assertThat(left.getMessage()).contains("disconnected");

        assertThatThrownBy(() -> head.invoke(call("x", Duration.ofSeconds(1), Duration.ZERO)).toCompletableFuture().join())
                .hasCauseInstanceOf(IllegalArgumentException.class).hasMessageContaining("response timeout");
        assertThatThrownBy(() -> head.invoke(call("n".repeat(101), Duration.ofSeconds(5), Duration.ZERO))
                .toCompletableFuture().join()).hasMessageContaining("101 characters");
    }

    @Test
    void methodLinksOfAnIdentityNotAuthenticatedHereAreRefused() throws Exception {
        try (ProtonClient c = plain(D2, KEY2)) {
            ProtonClient.Node node = c.node("/devices/d1/methods/devicebound", channel());
            assertThat(c.detachCondition(node.requests(), 2000).getCondition().toString()).isEqualTo("amqp:unauthorized-access");
            assertThat(head.holds(D1)).isFalse();
        }
    }
}
