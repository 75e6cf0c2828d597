package io.gatehouse.broker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.api.identity.Authenticator;
import io.gatehouse.api.message.Message;
import io.gatehouse.api.route.RouteTarget;
import io.gatehouse.api.store.DeadLetter;
import io.gatehouse.api.store.MessageStore;
import io.gatehouse.api.store.StoreException;
import io.gatehouse.headsupport.services.ServiceSlot;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The retry timing of module input delivery, on the real {@link MqttConnection} in an embedded
 * channel whose clock the test moves: the backoff's bounds, min(1 s + (2^n - 1) * [0.8, 1.2] s, 60 s),
 * can be checked exactly on both sides. Failures the real socket cannot be made to produce (a
 * write that fails on an open channel, an encoder that rejects a publish) come from a handler in
 * front of the connection, where the encoder sits in the real pipeline.
 */
class ModuleInputDeliveryTest {
    private static final String INPUT = "edge1/sink/in1";
    private static final Authenticator AUTH = new TokenAuthenticator();

    @TempDir
    Path state;
    private final InMemoryStore store = new InMemoryStore();
    private final FailingWrites failing = new FailingWrites();
    private EmbeddedChannel channel;
    private MethodCalls methods;

    /** Fails the next publishes written to it, with what the test asks for. */
    static final class FailingWrites extends ChannelOutboundHandlerAdapter {
        private final List<Supplier<Throwable>> failures = new ArrayList<>();
        private int publishesSeen;

        int publishesSeen() {
            return publishesSeen;
        }

        void failNext(int times, Supplier<Throwable> cause) {
            for (int i = 0; i < times; i++) failures.add(cause);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof MqttPublishMessage) publishesSeen++;
            if (msg instanceof MqttPublishMessage && !failures.isEmpty()) {
                ReferenceCountUtil.release(msg);
                promise.setFailure(failures.remove(0).get());
                return;
            }
            ctx.write(msg, promise);
        }
    }

    @BeforeEach
    void connectModule() {
        ServiceSlot<Authenticator> auth = new ServiceSlot<>();
        auth.set(AUTH);
        ServiceSlot<MessageStore> stores = new ServiceSlot<>();
        stores.set(store);
        ConnectionRegistry connections = new ConnectionRegistry();
        methods = new MethodCalls(connections);
        HubContext hub = new HubContext(auth, new ServiceSlot<>(), stores, null, connections,
                new PersistentSubscriptions(state.resolve("input-subscriptions")), null, 10, 1000, 262144,
                Duration.ofSeconds(1), null, methods);
        channel = new EmbeddedChannel(failing, new MqttConnection(hub));
        channel.freezeTime();
        channel.writeInbound(MqttMessageBuilders.connect().protocolVersion(MqttVersion.MQTT_3_1_1)
                .clientId("edge1/sink").cleanSession(true).keepAlive(0)
                .hasUser(true).username("hub/edge1/sink/?api-version=2021-04-12")
                .hasPassword(true).password("token-edge1/sink".getBytes(StandardCharsets.UTF_8)).build());
        subscribe(1);
        assertThat(outbound()).as("CONNACK and SUBACK").hasSize(2);
    }

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
        methods.close();
    }

    private void subscribe(int messageId) {
        channel.writeInbound(MqttMessageBuilders.subscribe().messageId(messageId)
                .addSubscription(MqttQoS.AT_LEAST_ONCE, "devices/edge1/modules/sink/inputs/#").build());
        run();
    }

    private void append(String body) throws StoreException {
        store.append(Message.builder().body(body.getBytes(StandardCharsets.UTF_8)).build(),
                List.of(new RouteTarget(INPUT, 0, -1)));
        run();
    }

    /** Runs the event loop's due tasks, and the tasks those queue. */
    private void run() {
        for (int i = 0; i < 5; i++) channel.runPendingTasks();
    }

    /** Moves the clock a millisecond at a time, so that every timer fires at its own deadline. */
    private void advanceMillis(long millis) {
        for (long i = 0; i < millis; i++) {
            channel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
            run();
        }
    }

    /** Virtual milliseconds until the condition holds; fails after two minutes of them. */
    private long millisUntil(BooleanSupplier condition) {
        for (long elapsed = 0; elapsed <= 120_000; elapsed++) {
            if (condition.getAsBoolean()) return elapsed;
            advanceMillis(1);
        }
        throw new AssertionError("did not happen within 120 s of virtual time");
    }

    /** A publish the connection sent, read off before its buffer is released. */
    record Sent(String body, boolean dup, int packetId) {
    }

    /** Everything written to the module since the last call. */
    private List<Object> outbound() {
        List<Object> out = new ArrayList<>();
        for (Object o; (o = channel.readOutbound()) != null;) {
            if (o instanceof MqttPublishMessage p) {
                out.add(new Sent(p.content().toString(StandardCharsets.UTF_8), p.fixedHeader().isDup(),
                        p.variableHeader().packetId()));
            } else {
                out.add(o);
            }
            ReferenceCountUtil.release(o);
        }
        return out;
    }

    private List<Sent> publishes() {
        return outbound().stream().filter(Sent.class::isInstance).map(Sent.class::cast).toList();
    }

    private void pubAck(int packetId) {
        channel.writeInbound(MqttMessageBuilders.pubAck().packetId(packetId).build());
        run();
    }

    @Test
    void aWriteThatFailsOnAnOpenChannelIsRetriedAfterAGrowingBackoff() throws Exception {
        failing.failNext(3, () -> new IOException("simulated write failure"));
        append("a");
        assertThat(failing.publishesSeen()).isEqualTo(1);
        assertThat(millisUntil(() -> failing.publishesSeen() == 2)).isEqualTo(1000);
        assertThat(millisUntil(() -> failing.publishesSeen() == 3)).isBetween(1800L, 2200L);
        assertThat(millisUntil(() -> failing.publishesSeen() == 4)).isBetween(3400L, 4600L);
        List<Sent> sent = publishes();
        assertThat(sent).hasSize(1);
        assertThat(sent.get(0).body()).isEqualTo("a");
        assertThat(sent.get(0).dup()).as("it never reached the module before").isFalse();
        assertThat(channel.isActive()).isTrue();
        assertThat(store.isSettled(0)).isFalse();
        pubAck(sent.get(0).packetId());
        assertThat(store.isAcknowledged(0)).isTrue();
    }

    @Test
    void anOverduePubackBringsDupResendsWithTheSamePacketIdAndAPubackResetsTheBackoff() throws Exception {
        append("a");
        Sent first = publishes().get(0);
        int id = first.packetId();
        assertThat(first.dup()).isFalse();
        // 1 s ack timeout, then the backoff: exactly 1 s, then 1 + 1 * [0.8, 1.2] s
        assertThat(millisUntil(() -> failing.publishesSeen() == 2)).isEqualTo(2000);
        assertThat(millisUntil(() -> failing.publishesSeen() == 3)).isBetween(2800L, 3200L);
        assertThat(publishes()).hasSize(2).allSatisfy(p -> {
            assertThat(p.dup()).isTrue();
            assertThat(p.packetId()).isEqualTo(id);
            assertThat(p.body()).isEqualTo("a");
        });
        // the third send times out too: a retry at 1 + 3 * [0.8, 1.2] s is armed when the PUBACK comes late
        advanceMillis(1000);
        pubAck(id);
        assertThat(store.isAcknowledged(0)).isTrue();
        advanceMillis(5000);
        assertThat(failing.publishesSeen()).as("nothing left to resend").isEqualTo(3);

        append("b");
        int idB = publishes().get(0).packetId();
        // the PUBACK reset the backoff: 1 s timeout + exactly 1 s, not 1 s + 1 + 7 * [0.8, 1.2] s
        assertThat(millisUntil(() -> failing.publishesSeen() == 5)).isEqualTo(2000);
        assertThat(publishes()).singleElement().satisfies(p -> {
            assertThat(p.body()).isEqualTo("b");
            assertThat(p.packetId()).isEqualTo(idB);
            assertThat(p.dup()).isTrue();
        });
    }

    @Test
    void aModuleThatSubscribesAgainIsServedAtOnceThoughALongBackoffIsArmed() throws Exception {
        append("a");
        millisUntil(() -> failing.publishesSeen() == 4);
        // the fourth send times out: the retry now armed waits at least 1 + 7 * 0.8 = 6.6 s
        advanceMillis(1000);
        assertThat(publishes()).hasSize(4);
        subscribe(2);
        assertThat(publishes()).as("resent without waiting out the armed delay").singleElement()
                .satisfies(p -> assertThat(p.body()).isEqualTo("a"));
        // and the backoff starts over: one timeout plus exactly 1 s
        assertThat(millisUntil(() -> failing.publishesSeen() == 6)).isEqualTo(2000);
    }

    @Test
    void aPublishTheEncoderRejectsIsDeadLetteredAndTheNextOneDelivered() throws Exception {
        failing.failNext(1, () -> new EncoderException("simulated unencodable publish"));
        append("bad");
        append("good");
        List<Sent> sent = publishes();
        assertThat(sent).extracting(Sent::body).containsExactly("good");
        List<DeadLetter> dead = store.deadLetters(INPUT, 10);
        assertThat(dead).singleElement().satisfies(d -> {
            assertThat(new String(d.message().body(), StandardCharsets.UTF_8)).isEqualTo("bad");
            assertThat(d.reason()).contains("simulated unencodable publish");
        });
        assertThat(store.isSettled(0)).isTrue();
        pubAck(sent.get(0).packetId());
        assertThat(store.isAcknowledged(1)).isTrue();
        assertThat(channel.isActive()).isTrue();
    }

    @Test
    void unsubscribingStopsDeliveryAndItsTimers() throws Exception {
        append("a"); // sent: its ack timeout is armed
        failing.failNext(1, () -> new IOException("simulated write failure"));
        append("b"); // failed: a retry is armed
        assertThat(publishes()).hasSize(1);
        assertThat(channel.runScheduledPendingTasks()).as("timers armed").isPositive();
        channel.writeInbound(MqttMessageBuilders.unsubscribe().messageId(3)
                .addTopicFilter("devices/edge1/modules/sink/inputs/#").build());
        run();
        assertThat(channel.runScheduledPendingTasks()).as("no timer left behind").isEqualTo(-1);
        advanceMillis(10_000);
        assertThat(publishes()).isEmpty();
        assertThat(channel.isActive()).isTrue();
        assertThat(store.isSettled(0)).isFalse();
        assertThat(store.isSettled(1)).isFalse();
    }
}
