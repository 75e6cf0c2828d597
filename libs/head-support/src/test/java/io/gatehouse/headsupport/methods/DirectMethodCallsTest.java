package io.gatehouse.headsupport.methods;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.method.MethodInvocationException;
import io.gatehouse.api.method.MethodRequest;
import io.gatehouse.api.method.MethodResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The calls' bookkeeping with a transport that records what it sends; short timeouts (no limits applied here). */
class DirectMethodCallsTest {
    private static final IdentityId SINK = IdentityId.module("edge1", "sink");
    private static final IdentityId OTHER = IdentityId.device("other");

    record Sent(String callId, String methodName, String payload) {
    }

    static final class Target {
        final IdentityId identity;
        final List<Sent> sent = new CopyOnWriteArrayList<>();
        volatile Consumer<String> lastFailure;

        Target(IdentityId identity) {
            this.identity = identity;
        }
    }

    private final Map<IdentityId, Target> ready = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final List<String> threads = new CopyOnWriteArrayList<>();
    private final DirectMethodCalls<Target> calls = new DirectMethodCalls<>("test-methods", "the test head stopped",
            r -> r.methodName().isEmpty() ? "empty" : null, () -> "c" + ids.incrementAndGet(),
            new DirectMethodCalls.Transport<>() {
                @Override
                public Target readyTarget(IdentityId identity) {
                    return ready.get(identity);
                }

                @Override
                public String absence(IdentityId identity) {
                    return identity + " is not here";
                }

                @Override
                public void send(Target target, String callId, String methodName, byte[] payload, Consumer<String> failed) {
                    target.lastFailure = failed;
                    target.sent.add(new Sent(callId, methodName, new String(payload, StandardCharsets.UTF_8)));
                }
            });

    @AfterEach
    void close() {
        calls.close();
    }

    private static MethodRequest request(IdentityId target, Duration response, Duration connect) {
        return new MethodRequest(target, "reboot", "{\"in\":1}", response, connect);
    }

    private CompletionStage<MethodResult> observed(CompletionStage<MethodResult> stage) {
        return stage.whenComplete((r, e) -> threads.add(Thread.currentThread().getName()));
    }

    private static MethodInvocationException failure(CompletionStage<MethodResult> stage) {
        try {
            stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return (MethodInvocationException) e.getCause();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("the call succeeded");
    }

    private Target connect(IdentityId identity) {
        Target t = new Target(identity);
        ready.put(identity, t);
        calls.targetReady(identity, t);
        return t;
    }

    @Test
    void aCallToAReadyTargetGoesOutAndCompletesWithItsAnswerOffTheCallersThread() throws Exception {
        Target sink = connect(SINK);
        assertThat(calls.holds(SINK)).isTrue();
        assertThat(calls.holds(OTHER)).isFalse();
        CompletionStage<MethodResult> call = observed(calls.invoke(request(SINK, Duration.ofSeconds(30), Duration.ZERO)));
        assertThat(sink.sent).containsExactly(new Sent("c1", "reboot", "{\"in\":1}"));

        assertThat(calls.answered(OTHER, "c1", 200, "{}")).as("another identity's answer").isFalse();
        assertThat(calls.answered(SINK, "c9", 200, "{}")).as("never sent").isFalse();
        assertThat(call.toCompletableFuture()).isNotDone();
        assertThat(calls.answered(SINK, "c1", 201, "{\"ok\":true}")).isTrue();
        assertThat(call.toCompletableFuture().get(5, TimeUnit.SECONDS)).isEqualTo(new MethodResult(201, "{\"ok\":true}"));
        assertThat(calls.answered(SINK, "c1", 200, "{}")).as("answered already").isFalse();
        assertThat(threads).containsExactly("test-methods");
    }

    @Test
    void aCallWaitsForItsTargetWithinTheConnectTimeoutAndFails404After() throws Exception {
        CompletionStage<MethodResult> waiting = calls.invoke(request(SINK, Duration.ofSeconds(30), Duration.ofSeconds(10)));
        CompletionStage<MethodResult> late = calls.invoke(request(OTHER, Duration.ofSeconds(30), Duration.ofMillis(100)));
        assertThat(waiting.toCompletableFuture()).isNotDone();
        Target sink = connect(SINK);
        assertThat(sink.sent).hasSize(1);
        calls.answered(SINK, sink.sent.get(0).callId(), 200, null);
        assertThat(waiting.toCompletableFuture().get(5, TimeUnit.SECONDS)).isEqualTo(new MethodResult(200, null));

        MethodInvocationException notThere = failure(late);
        assertThat(notThere.status()).isEqualTo(MethodInvocationException.NOT_CONNECTED);
        assertThat(notThere).hasMessage(OTHER + " is not here");
        MethodInvocationException atOnce = failure(calls.invoke(request(OTHER, Duration.ofSeconds(30), Duration.ZERO)));
        assertThat(atOnce.status()).isEqualTo(MethodInvocationException.NOT_CONNECTED);
    }

    @Test
    void noAnswerWithinTheResponseTimeoutIs504() {
        connect(SINK);
        MethodInvocationException timedOut = failure(calls.invoke(request(SINK, Duration.ofMillis(100), Duration.ZERO)));
        assertThat(timedOut.status()).isEqualTo(MethodInvocationException.TIMED_OUT);
        assertThat(timedOut).hasMessage(SINK + " did not answer method reboot within 0 s");
    }

    @Test
    void aTargetGoneOrASendThatFailedFailsItsCallsAt404Now() {
        Target sink = connect(SINK);
        CompletionStage<MethodResult> first = calls.invoke(request(SINK, Duration.ofSeconds(30), Duration.ZERO));
        calls.targetGone(new Target(SINK)); // another target of the same identity: not this call's
        assertThat(first.toCompletableFuture()).isNotDone();
        calls.targetGone(sink);
        assertThat(failure(first)).hasMessage(SINK + " disconnected before answering");

        CompletionStage<MethodResult> second = calls.invoke(request(SINK, Duration.ofSeconds(30), Duration.ZERO));
        sink.lastFailure.accept("the write failed");
        assertThat(failure(second)).hasMessage("the write failed");
        assertThat(failure(second).status()).isEqualTo(MethodInvocationException.NOT_CONNECTED);
    }

    @Test
    void invalidRequestsAreRefusedAndNothingIsSent() {
        Target sink = connect(SINK);
        CompletionStage<MethodResult> bad = calls.invoke(new MethodRequest(SINK, "", "{}", Duration.ofSeconds(30),
                Duration.ZERO));
        assertThatThrownBy(() -> bad.toCompletableFuture().get()).hasCauseInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty");
        assertThat(sink.sent).isEmpty();
    }

    @Test
    void closingFailsWaitingAndSentCallsAndLaterOnes() {
        Target sink = connect(SINK);
        CompletionStage<MethodResult> sent = calls.invoke(request(SINK, Duration.ofSeconds(30), Duration.ZERO));
        CompletionStage<MethodResult> waiting = calls.invoke(request(OTHER, Duration.ofSeconds(30), Duration.ofSeconds(30)));
        calls.close();
        assertThat(failure(sent)).hasMessage("the test head stopped");
        assertThat(failure(waiting)).hasMessage("the test head stopped");
        assertThat(failure(calls.invoke(request(SINK, Duration.ofSeconds(30), Duration.ZERO))))
                .hasMessage("the test head stopped");
        assertThat(sink.sent).hasSize(1);
    }

    @Test
    void aStoppedHeadRefusesByTheProblemFirst() {
        CompletableFuture<MethodResult> invalid = DirectMethodCalls.refused("too long", "stopped").toCompletableFuture();
        assertThatThrownBy(invalid::get).hasCauseInstanceOf(IllegalArgumentException.class).hasMessageContaining("too long");
        MethodInvocationException stopped = failure(DirectMethodCalls.refused(null, "stopped"));
        assertThat(stopped.status()).isEqualTo(MethodInvocationException.NOT_CONNECTED);
        assertThat(stopped).hasMessage("stopped");
    }
}
