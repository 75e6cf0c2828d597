package io.gatehouse.amqp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.api.message.Message;
import io.gatehouse.api.message.SystemProperties;
import io.gatehouse.api.route.EndpointIds;
import io.gatehouse.api.route.RouteTarget;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.messaging.Accepted;
import org.apache.qpid.proton.amqp.messaging.MessageAnnotations;
import org.apache.qpid.proton.amqp.messaging.Rejected;
import org.apache.qpid.proton.amqp.messaging.Released;
import org.apache.qpid.proton.amqp.transport.DeliveryState;
import org.apache.qpid.proton.amqp.transport.ErrorCondition;
import org.apache.qpid.proton.engine.Delivery;
import org.apache.qpid.proton.engine.Receiver;
import org.apache.qpid.proton.engine.Sasl;
import org.apache.qpid.proton.engine.Sender;
import org.junit.jupiter.api.Test;

/** The head's protocol behaviour, driven by a Proton-J client over plain AMQP. */
class AmqpHeadTest extends HeadFixture {
    // --- SASL ----------------------------------------------------------------------------

    @Test
    void saslPlainAuthenticatesAndTelemetryIsStoredStampedWithTheLinksIdentity() throws Exception {
        try (ProtonClient c = plain(D1, KEY1)) {
            Sender events = c.sender("/devices/d1/messages/events");
            assertThat(events.getRemoteTarget()).isNotNull();
            org.apache.qpid.proton.message.Message m = telemetry("{\"t\":21}", Map.of("alert", "high",
                    // the client may not say who it is: the hub does
                    "iothub-connection-device-id", "someone-else"));
            m.setMessageAnnotations(new MessageAnnotations(Map.of(Symbol.valueOf("dt-subject"), "thermostat1",
                    Symbol.valueOf("iothub-message-schema"), "v2")));

            DeliveryState state = c.send(events, m);

            assertThat((Object) state).isInstanceOf(Accepted.class);
            List<Message> stored = store.messagesOf(EndpointIds.UPSTREAM);
            assertThat(stored).hasSize(1);
            Message s = stored.get(0);
            assertThat(new String(s.body(), StandardCharsets.UTF_8)).isEqualTo("{\"t\":21}");
            assertThat(s.systemProperty(SystemProperties.CONNECTION_DEVICE_ID)).isEqualTo("d1");
            assertThat(s.systemProperty(SystemProperties.CONNECTION_MODULE_ID)).isNull();
            assertThat(s.systemProperty(SystemProperties.MESSAGE_ID)).isEqualTo("mid-1");
            assertThat(s.systemProperty(SystemProperties.CONTENT_TYPE)).isEqualTo("application/json");
            assertThat(s.systemProperty(SystemProperties.COMPONENT_NAME)).isEqualTo("thermostat1");
            assertThat(s.systemProperty(SystemProperties.MESSAGE_SCHEMA)).isEqualTo("v2");
            assertThat(s.systemProperty(SystemProperties.ENQUEUED_TIME)).isNotNull();
            assertThat(s.properties()).containsExactly(Map.entry("alert", "high"));
        }
    }

    @Test
    void aTransferIsAcceptedOnlyOnceTheStoreHoldsIt() throws Exception {
        try (ProtonClient c = plain(D1, KEY1)) {
            Sender events = c.sender("/devices/d1/messages/events");
            store.holdAppends();
            Delivery d = c.sendNoWait(events, telemetry("x", Map.of()));

            assertThat(c.await(() -> d.getRemoteState() != null, 500)).as("outcome before the append returned").isFalse();
            store.releaseAppends();
            assertThat(c.await(() -> d.getRemoteState() != null)).isTrue();
            assertThat((Object) d.getRemoteState()).isInstanceOf(Accepted.class);
            assertThat(store.messagesOf(EndpointIds.UPSTREAM)).hasSize(1);
        }
    }

    @Test
    void aWrongPlainPasswordFailsSaslAndClosesTheConnection() throws Exception {
        try (ProtonClient c = ProtonClient.connect(port, "PLAIN", plainUser(D1), token(D1, KEY2))) {
            assertThat(c.saslOutcome()).isEqualTo(Sasl.SaslOutcome.PN_SASL_AUTH);
            assertThat(c.closedByHub(2000)).isTrue();
        }
        try (ProtonClient c = ProtonClient.connect(port, "PLAIN", "no-at-sign", token(D1, KEY1))) {
            assertThat(c.saslOutcome()).isEqualTo(Sasl.SaslOutcome.PN_SASL_AUTH);
        }
        assertThat(store.messagesOf(EndpointIds.UPSTREAM)).isEmpty();
    }

    @Test
    void noRouteIsAcceptedAndDropped() throws Exception {
        router.routeTo(null);
        try (ProtonClient c = plain(D1, KEY1)) {
            assertThat((Object) c.send(c.sender("/devices/d1/messages/events"), telemetry("x", Map.of()))).isInstanceOf(Accepted.class);
        }
        assertThat(store.queues()).isEmpty();
    }

    // --- CBS -----------------------------------------------------------------------------

    @Test
    void cbsAuthenticatesEachIdentityOfTheConnectionByItsToken() throws Exception {
        try (ProtonClient c = ProtonClient.anonymous(port)) {
            assertThat(c.saslOutcome()).isEqualTo(Sasl.SaslOutcome.PN_SASL_OK);
            Sender before = c.sender("/devices/d1/messages/events");
            ErrorCondition refused = c.detachCondition(before, 2000);
            assertThat(refused).isNotNull();
            assertThat(refused.getCondition().toString()).isEqualTo("amqp:unauthorized-access");

            Map<String, Object> ok = c.putToken("amqps://" + HUB + "/devices/d1", token(D1, KEY1));
            assertThat(ok).containsEntry("status-code", 200);
            Map<String, Object> ok2 = c.putToken(HUB + "/devices/d2", token(D2, KEY2));
            assertThat(ok2).containsEntry("status-code", 200);

            assertThat((Object) c.send(c.sender("/devices/d1/messages/events"), telemetry("one", Map.of()))).isInstanceOf(Accepted.class);
            assertThat((Object) c.send(c.sender("/devices/d2/messages/events"), telemetry("two", Map.of()))).isInstanceOf(Accepted.class);
            assertThat(store.messagesOf(EndpointIds.UPSTREAM)).extracting(m -> m.systemProperty(SystemProperties.CONNECTION_DEVICE_ID))
                    .containsExactly("d1", "d2");
        }
    }

    @Test
    void cbsAnswers401ForABadTokenAndForATokenOfAnotherIdentity() throws Exception {
        try (ProtonClient c = ProtonClient.anonymous(port)) {
            Map<String, Object> bad = c.putToken(HUB + "/devices/d1", token(D1, KEY2));
            assertThat(bad).containsEntry("status-code", 401);
            assertThat((String) bad.get("status-description")).contains("d1").doesNotContain("sig=");

            Map<String, Object> other = c.putToken(HUB + "/devices/d1", token(D2, KEY2));
            assertThat(other).containsEntry("status-code", 401);

            Map<String, Object> malformed = c.putToken("not-an-audience", token(D1, KEY1));
            assertThat(malformed).containsEntry("status-code", 400);

            Sender events = c.sender("/devices/d1/messages/events");
            assertThat(c.detachCondition(events, 2000).getCondition().toString()).isEqualTo("amqp:unauthorized-access");
            Sender d2 = c.sender("/devices/d2/messages/events");
            assertThat(c.detachCondition(d2, 2000).getCondition().toString()).isEqualTo("amqp:unauthorized-access");
        }
    }

    @Test
    void aLinkToAnIdentityNotAuthenticatedOnThisConnectionIsRefused() throws Exception {
        try (ProtonClient c = plain(D1, KEY1)) {
            Sender other = c.sender("/devices/d2/messages/events");
            assertThat(c.detachCondition(other, 2000).getCondition().toString()).isEqualTo("amqp:unauthorized-access");
            Receiver otherC2d = c.receiver("/devices/d2/messages/deviceBound", 10);
            assertThat(c.detachCondition(otherC2d, 2000).getCondition().toString()).isEqualTo("amqp:unauthorized-access");
            Sender unknown = c.sender("/somewhere/else");
            assertThat(c.detachCondition(unknown, 2000).getCondition().toString()).isEqualTo("amqp:not-found");
            // its own link still works
            assertThat((Object) c.send(c.sender("/devices/d1/messages/events"), telemetry("x", Map.of()))).isInstanceOf(Accepted.class);
        }
        assertThat(store.messagesOf(EndpointIds.UPSTREAM)).hasSize(1);
    }

    @Test
    void aLinkIsClosedWhenItsTokenExpiresWithoutRenewal() throws Exception {
        // valid for about two more seconds, counting the five minutes of skew
        long se = System.currentTimeMillis() / 1000 - SasTokens.CLOCK_SKEW_MILLIS / 1000 + 2;
        try (ProtonClient c = ProtonClient.anonymous(port)) {
            assertThat(c.putToken(HUB + "/devices/d1", SasAuthenticator.token(HUB, D1, KEY1, se))).containsEntry("status-code", 200);
            Sender events = c.sender("/devices/d1/messages/events");
            assertThat(c.detachCondition(events, 500)).as("open while the token holds").isNull();

            ErrorCondition closed = c.detachCondition(events, 5000);
            assertThat(closed).isNotNull();
            assertThat(closed.getCondition().toString()).isEqualTo("amqp:unauthorized-access");
            assertThat(closed.getDescription()).contains("expired");
        }
    }

    @Test
    void theNewestConnectionOfAnIdentityWins() throws Exception {
        try (ProtonClient first = plain(D1, KEY1); ProtonClient other = plain(D2, KEY2)) {
            Sender old = first.sender("/devices/d1/messages/events");
            Sender untouched = other.sender("/devices/d2/messages/events");
            try (ProtonClient second = plain(D1, KEY1)) {
                ErrorCondition stolen = first.detachCondition(old, 3000);
                assertThat(stolen).isNotNull();
                assertThat(stolen.getCondition().toString()).isEqualTo("amqp:link:stolen");
                assertThat((Object) second.send(second.sender("/devices/d1/messages/events"), telemetry("x", Map.of())))
                        .isInstanceOf(Accepted.class);
                assertThat((Object) other.send(untouched, telemetry("y", Map.of()))).isInstanceOf(Accepted.class);
            }
        }
    }

    // --- refusals of transfers -----------------------------------------------------------

    @Test
    void aFullStoreRejectsTheTransferWithTheReason() throws Exception {
        store.refuseAppends("over quota (simulated)");
        try (ProtonClient c = plain(D1, KEY1)) {
            Sender events = c.sender("/devices/d1/messages/events");
            DeliveryState state = c.send(events, telemetry("x", Map.of()));
            assertThat((Object) state).isInstanceOf(Rejected.class);
            ErrorCondition error = ((Rejected) state).getError();
            assertThat(error.getCondition().toString()).isEqualTo("amqp:resource-limit-exceeded");
            assertThat(error.getDescription()).contains("over quota");

            store.refuseAppends(null);
            assertThat((Object) c.send(events, telemetry("y", Map.of()))).as("the link goes on").isInstanceOf(Accepted.class);
        }
        assertThat(store.messagesOf(EndpointIds.UPSTREAM)).extracting(m -> new String(m.body(), StandardCharsets.UTF_8))
                .containsExactly("y");
    }

    @Test
    void noStoreRejectsWithAnInternalError() throws Exception {
        head.unbindStore(store);
        try (ProtonClient c = plain(D1, KEY1)) {
            DeliveryState state = c.send(c.sender("/devices/d1/messages/events"), telemetry("x", Map.of()));
            assertThat((Object) state).isInstanceOf(Rejected.class);
            assertThat(((Rejected) state).getError().getCondition().toString()).isEqualTo("amqp:internal-error");
        }
    }

    @Test
    void aMessageOverTheLimitIsRejectedAndNothingIsStored() throws Exception {
        try (ProtonClient c = plain(D1, KEY1)) {
            Sender events = c.sender("/devices/d1/messages/events");
            DeliveryState state = c.send(events, telemetry("x".repeat(5000), Map.of()));
            assertThat((Object) state).isInstanceOf(Rejected.class);
            assertThat(((Rejected) state).getError().getCondition().toString()).isEqualTo("amqp:link:message-size-exceeded");
            assertThat(store.messagesOf(EndpointIds.UPSTREAM)).isEmpty();

            assertThat((Object) c.send(events, telemetry("small", Map.of()))).isInstanceOf(Accepted.class);
            assertThat(store.messagesOf(EndpointIds.UPSTREAM)).hasSize(1);
        }
    }

    @Test
    void aMalformedFrameClosesOnlyThatConnection() throws Exception {
        try (ProtonClient good = plain(D2, KEY2); ProtonClient bad = plain(D1, KEY1)) {
            Sender events = good.sender("/devices/d2/messages/events");
            // a frame header announcing 4 bytes, less than the header itself
            bad.writeRaw(new byte[] {0, 0, 0, 4, 2, 0, 0, 0});
            assertThat(bad.closedByHub(3000)).isTrue();

            assertThat((Object) good.send(events, telemetry("still here", Map.of()))).isInstanceOf(Accepted.class);
        }
    }

    @Test
    void aSilentConnectionIsClosedAfterTheIdleTimeout() throws Exception {
        head.deactivate();
        head = start(Map.of("idleTimeoutSecs", 1));
        try (ProtonClient c = plain(D1, KEY1)) {
            assertThat(c.transport.getRemoteIdleTimeout()).as("half the timeout is advertised").isEqualTo(500);
            assertThat(c.closedByHub(4000)).isTrue();
        }
    }

    @Test
    void theHubSendsHeartbeatsWhenTheClientsIdleTimeoutAsksForThem() throws Exception {
        try (ProtonClient c = ProtonClient.connect(port, "PLAIN", plainUser(D1), token(D1, KEY1), 1000)) {
            long before = c.transport.getFramesInput();
            c.await(() -> false, 2000);
            // the client advertised 500 ms: empty frames come at least every 250 ms
            assertThat(c.transport.getFramesInput() - before).isGreaterThanOrEqualTo(4);
            assertThat(c.closedByHub(10)).isFalse();
        }
    }

    // --- module inputs and cloud-to-device, outcomes -------------------------------------

    @Test
    void moduleInputsCarryTheInputNameAndSenderAndSettleByOutcome() throws Exception {
        String input = EndpointIds.moduleInput("d1", "m1", "in1");
        Message original = Message.builder().body("hello".getBytes(StandardCharsets.UTF_8))
                .systemProperty(SystemProperties.CONNECTION_DEVICE_ID, "d2")
                .systemProperty(SystemProperties.MESSAGE_ID, "m-1")
                .property("k", "v").build();
        store.append(original, List.of(new RouteTarget(input, 0, -1)));
        store.append(Message.builder().body("second".getBytes(StandardCharsets.UTF_8)).build(), List.of(new RouteTarget(input, 0, -1)));
        store.append(Message.builder().body("third".getBytes(StandardCharsets.UTF_8)).build(), List.of(new RouteTarget(input, 0, -1)));

        try (ProtonClient c = plain(M1, KEYM)) {
            Receiver inputs = c.receiver("/devices/d1/modules/m1/messages/events", 1);
            ProtonClient.Received first = c.receive(inputs, 3000);
            assertThat(first).isNotNull();
            assertThat(bodyText(first.message())).isEqualTo("hello");
            Map<Symbol, Object> annotations = first.message().getMessageAnnotations().getValue();
            assertThat(annotations).containsEntry(Symbol.valueOf("x-opt-input-name"), "in1")
                    .containsEntry(Symbol.valueOf("iothub-connection-device-id"), "d2");
            assertThat(first.message().getMessageId()).isEqualTo("m-1");
            assertThat(first.message().getApplicationProperties().getValue()).containsEntry("k", "v");
            c.settle(first.delivery(), Accepted.getInstance());

            inputs.flow(1);
            ProtonClient.Received second = c.receive(inputs, 3000);
            Rejected rejected = new Rejected();
            rejected.setError(new ErrorCondition(Symbol.valueOf("amqp:decode-error"), "cannot parse"));
            c.settle(second.delivery(), rejected);

            inputs.flow(1);
            ProtonClient.Received third = c.receive(inputs, 3000);
            c.settle(third.delivery(), Released.getInstance());
            inputs.flow(1);
            ProtonClient.Received again = c.receive(inputs, 5000);
            assertThat(again).as("a released message comes again").isNotNull();
            assertThat(bodyText(again.message())).isEqualTo("third");
            c.settle(again.delivery(), Accepted.getInstance());
            c.await(() -> store.pending(input) == 0);
        }
        assertThat(store.acknowledgedOf(input)).isEqualTo(2);
        assertThat(store.deadLetters(input, 10)).singleElement()
                .satisfies(d -> assertThat(d.reason()).contains("rejected by the module").contains("cannot parse"));
    }

    @Test
    void unsettledMessagesComeAgainAfterTheLinkIsDetached() throws Exception {
        String c2d = EndpointIds.cloudToDevice("d1");
        store.append(Message.builder().body("c2d".getBytes(StandardCharsets.UTF_8)).build(), List.of(new RouteTarget(c2d, 0, -1)));
        try (ProtonClient c = plain(D1, KEY1)) {
            Receiver first = c.receiver("/devices/d1/messages/devicebound", 10);
            assertThat(c.receive(first, 3000)).isNotNull();
            first.close();
            c.await(() -> !store.hasConsumer(c2d));

            Receiver second = c.receiver("/devices/d1/messages/deviceBound", 10);
            ProtonClient.Received again = c.receive(second, 3000);
            assertThat(again).isNotNull();
            assertThat(again.message().getAddress()).isEqualTo("/devices/d1/messages/deviceBound");
            c.settle(again.delivery(), Accepted.getInstance());
            assertThat(c.await(() -> store.acknowledgedOf(c2d) == 1)).isTrue();
        }
    }

    @Test
    void aClientThatNeverSettlesHasItsLinkDetachedAndGetsTheMessageAgain() throws Exception {
        head.deactivate();
        head = start(Map.of("clientAckTimeoutSecs", 1));
        String c2d = EndpointIds.cloudToDevice("d1");
        store.append(Message.builder().body("c2d".getBytes(StandardCharsets.UTF_8)).build(), List.of(new RouteTarget(c2d, 0, -1)));
        try (ProtonClient c = plain(D1, KEY1)) {
            Receiver first = c.receiver("/devices/d1/messages/deviceBound", 10);
            assertThat(c.receive(first, 3000)).isNotNull();
            ErrorCondition detached = c.detachCondition(first, 4000);
            assertThat(detached).isNotNull();
            assertThat(detached.getCondition().toString()).isEqualTo("amqp:link:detach-forced");

            Receiver second = c.receiver("/devices/d1/messages/deviceBound", 10);
            ProtonClient.Received again = c.receive(second, 3000);
            assertThat(again).isNotNull();
            c.settle(again.delivery(), Accepted.getInstance());
            assertThat(c.await(() -> store.acknowledgedOf(c2d) == 1)).isTrue();
        }
    }

    @Test
    void aModuleGetsNoCloudToDeviceMessagesAndADeviceNoModuleInputs() throws Exception {
        store.append(Message.builder().body("for d1".getBytes(StandardCharsets.UTF_8)).build(),
                List.of(new RouteTarget(EndpointIds.cloudToDevice("d1"), 0, -1)));
        try (ProtonClient module = plain(M1, KEYM); ProtonClient device = plain(D1, KEY1)) {
            Receiver moduleC2d = module.receiver("/devices/d1/modules/m1/messages/deviceBound", 10);
            assertThat(module.detachCondition(moduleC2d, 300)).as("attached, idle").isNull();
            assertThat(module.receive(moduleC2d, 500)).isNull();

            Receiver deviceInputs = device.receiver("/devices/d1/messages/events", 10);
            assertThat(device.detachCondition(deviceInputs, 2000).getCondition().toString()).isEqualTo("amqp:not-allowed");
        }
        assertThat(store.pending(EndpointIds.cloudToDevice("d1"))).isEqualTo(1);
    }
}
