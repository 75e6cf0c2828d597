package io.gatehouse.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.method.MethodInvocationException;
import io.gatehouse.api.method.MethodRequest;
import io.gatehouse.api.method.MethodResult;
import io.gatehouse.api.module.ModuleRuntime;
import io.gatehouse.api.module.ModuleRuntimeException;
import io.gatehouse.api.module.ModuleState;
import io.gatehouse.supervisor.process.internal.ProcessModuleRuntime;
import io.gatehouse.supervisor.process.internal.ProcessRuntimes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.util.converter.Converters;

/**
 * The agent's direct methods through its {@link io.gatehouse.api.method.MethodInvoker}, against the
 * real agent and the real process runtime. The answers are those the management API gave before
 * it reached the agent through an invoker: its HTTP answer is {@code {status, payload}} for a
 * {@link MethodResult} and the exception's status and message for a {@link MethodInvocationException}.
 */
@Timeout(60) // a call run on the caller's thread would wait forever on a held-up stop
class AgentMethodInvokerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final IdentityId SELF = IdentityId.module("gw7", "$edgeAgent");
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private EdgeAgent agent;
    private ProcessModuleRuntime process;
    private GatedRuntime runtime;
    private AgentMethodInvoker invoker;

    /** The real runtime, whose stops can be held up to play a module that is slow to stop. */
    private static final class GatedRuntime extends RecordingRuntime {
        volatile CountDownLatch gate = new CountDownLatch(0);
        final CountDownLatch stopping = new CountDownLatch(1);
        /** Look-ups of a module by the invoker's threads: each restart or logs call makes one. */
        final AtomicInteger methodLookups = new AtomicInteger();

        GatedRuntime(ModuleRuntime delegate) {
            super(delegate);
        }

        @Override
        public void stop(String name, Duration timeout) throws ModuleRuntimeException {
            stopping.countDown();
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            super.stop(name, timeout);
        }

        @Override
        public Optional<ModuleState> module(String name) {
            if (Thread.currentThread().getName().startsWith("gatehouse-agent-method")) methodLookups.incrementAndGet();
            return super.module(name);
        }
    }

    @BeforeEach
    void start() {
        agent = new EdgeAgent();
        agent.identityRegistry = new InMemoryIdentityRegistry();
        agent.activate(Converters.standardConverter().convert(Map.of("stateDirectory", dir.resolve("agent").toString(),
                "reconcileIntervalSecs", 0.2, "stopTimeoutSecs", 2, "deviceId", "gw7")).to(EdgeAgent.Config.class));
        process = ProcessRuntimes.start(dir.resolve("logs"), agent);
        runtime = new GatedRuntime(process);
        agent.bindRuntime(runtime, Map.of(ModuleRuntime.TYPE_PROPERTY, "process"));
        invoker = new AgentMethodInvoker(agent, Converters.standardConverter().convert(Map.of("deviceId", "gw7"))
                .to(AgentMethodInvoker.Config.class));
    }

    @AfterEach
    void stop() throws Exception {
        runtime.gate.countDown();
        invoker.deactivate();
        agent.deactivate();
        ProcessRuntimes.stop(process);
    }

    private JsonNode deployRunningModule() throws Exception {
        agent.apply(new Manifests().shell("m", "running", "always", -1, "echo started; echo ready; exec sleep 60").json());
        JsonNode running = awaitReported(r -> "running".equals(r.path("modules").path("m").path("runtimeStatus").asText()),
                "m running");
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (agent.logs("m", 10).size() < 2 && System.nanoTime() < deadline) Thread.sleep(25);
        return running;
    }

    private JsonNode awaitReported(Predicate<JsonNode> condition, String what) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = JSON.readTree(agent.reportedProperties());
            if (condition.test(last)) return last;
            Thread.sleep(25);
        }
        throw new AssertionError("timed out waiting for " + what + "; last reported: " + last);
    }

    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(10);
        }
    }

    private static MethodRequest request(String method, String payloadJson) {
        return request(SELF, method, payloadJson, Duration.ofSeconds(30));
    }

    private static MethodRequest request(IdentityId target, String method, String payloadJson, Duration responseTimeout) {
        return new MethodRequest(target, method, payloadJson, responseTimeout, Duration.ZERO);
    }

    private MethodResult call(String method, String payloadJson) throws Exception {
        return answer(invoker.invoke(request(method, payloadJson)));
    }

    private static MethodResult answer(CompletionStage<MethodResult> stage) throws Exception {
        return stage.toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static MethodInvocationException failure(CompletionStage<MethodResult> stage) throws Exception {
        try {
            MethodResult r = answer(stage);
            throw new AssertionError("expected the call to fail, it answered " + r);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(MethodInvocationException.class);
            return (MethodInvocationException) e.getCause();
        }
    }

    private MethodInvocationException failure(String method, String payloadJson) throws Exception {
        return failure(invoker.invoke(request(method, payloadJson)));
    }

    @Test
    void itHoldsOnlyItsOwnAgentAndAnswersPing() throws Exception {
        assertThat(invoker.holds(SELF)).isTrue();
        assertThat(invoker.holds(IdentityId.module("edge1", "$edgeAgent"))).isFalse();
        assertThat(invoker.holds(IdentityId.module("gw7", "$edgeHub"))).isFalse();
        assertThat(invoker.holds(IdentityId.device("gw7"))).isFalse();

        assertThat(call("ping", "null")).isEqualTo(new MethodResult(200, "null"));
        assertThat(call("ping", "{\"schemaVersion\": \"1.0\"}")).isEqualTo(new MethodResult(200, "null"));

        MethodInvocationException elsewhere = failure(invoker.invoke(
                request(IdentityId.module("gw7", "sensor"), "ping", "null", Duration.ofSeconds(5))));
        assertThat(elsewhere.status()).isEqualTo(MethodInvocationException.NOT_CONNECTED);
        assertThat(elsewhere.getMessage()).isEqualTo("gw7/sensor is not connected");
    }

    @Test
    void restartModuleRestartsARunningModule() throws Exception {
        JsonNode before = deployRunningModule();
        int calls = runtime.calls.size();

        assertThat(call("RestartModule", "{\"schemaVersion\": \"1.0\", \"id\": \"m\"}")).isEqualTo(new MethodResult(200, "null"));

        List<String> after = List.copyOf(runtime.calls); // a snapshot: the reconcile loop may still record calls
        assertThat(after.subList(calls, after.size())).startsWith("stop:m", "start:m");
        awaitReported(r -> "running".equals(r.path("modules").path("m").path("runtimeStatus").asText())
                && !r.path("modules").path("m").path("lastStartTimeUtc")
                        .equals(before.path("modules").path("m").path("lastStartTimeUtc")), "m running again, started anew");
    }

    @Test
    void getModuleLogsAnswersTheLastLinesOfEachModuleAsked() throws Exception {
        deployRunningModule();
        MethodResult logs = call("GetModuleLogs", "{\"schemaVersion\": \"1.0\", \"items\": [{\"id\": \"m\", "
                + "\"filter\": {\"tail\": 2}}], \"encoding\": \"none\", \"contentType\": \"text\"}");
        assertThat(logs).isEqualTo(new MethodResult(200, "[{\"id\":\"m\",\"payload\":\"started\\nready\"}]"));

        MethodResult lastOnly = call("GetModuleLogs", "{\"items\": [{\"id\": \"m\", \"filter\": {\"tail\": 1}}, {\"id\": \"m\"}]}");
        assertThat(lastOnly).isEqualTo(new MethodResult(200,
                "[{\"id\":\"m\",\"payload\":\"ready\"},{\"id\":\"m\",\"payload\":\"started\\nready\"}]"));
    }

    @Test
    void anUnknownModuleIsA404AnswerAndNothingIsRestarted() throws Exception {
        deployRunningModule();
        List<String> calls = List.copyOf(runtime.calls);

        MethodResult restart = call("RestartModule", "{\"id\": \"ghost\"}");
        assertThat(restart.status()).isEqualTo(404);
        assertThat(JSON.readTree(restart.payloadJson()).path("message").asText()).contains("ghost");

        MethodResult logs = call("GetModuleLogs", "{\"items\": [{\"id\": \"m\"}, {\"id\": \"ghost\"}]}");
        assertThat(logs.status()).isEqualTo(404);
        assertThat(JSON.readTree(logs.payloadJson()).path("message").asText()).contains("ghost");

        assertThat(runtime.calls).isEqualTo(calls);
    }

    @Test
    void badPayloadsFailWith400AndChangeNothing() throws Exception {
        deployRunningModule();
        List<String> calls = List.copyOf(runtime.calls);
        String restartNeeds = "RestartModule needs {\"id\": \"<module>\"}";
        String logsNeed = "GetModuleLogs needs {\"items\": [{\"id\": \"<module>\"}]}";

        for (String payload : List.of("null", "{}", "{\"id\": \"\"}", "{\"module\": \"m\"}", "5", "[\"m\"]")) {
            MethodInvocationException e = failure("RestartModule", payload);
            assertThat(e.status()).as(payload).isEqualTo(400);
            assertThat(e.getMessage()).as(payload).isEqualTo(restartNeeds);
        }
        for (String payload : List.of("null", "{}", "{\"items\": []}", "{\"items\": 3}")) {
            MethodInvocationException e = failure("GetModuleLogs", payload);
            assertThat(e.status()).as(payload).isEqualTo(400);
            assertThat(e.getMessage()).as(payload).isEqualTo(logsNeed);
        }
        MethodInvocationException notJson = failure("RestartModule", "{\"id\": \"m\", secret}");
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.getMessage()).startsWith("could not read the payload: ").doesNotContain("secret");

        Thread.sleep(300); // a pass or two: nothing may have been stopped or started meanwhile
        assertThat(runtime.calls).isEqualTo(calls);
    }

    @Test
    void anUnknownMethodFailsWith501NamingTheMethodsThereAre() throws Exception {
        for (String method : List.of("UploadSupportBundle", "restartmodule", "")) {
            MethodInvocationException e = failure(method, "null");
            assertThat(e.status()).isEqualTo(501);
            assertThat(e.getMessage()).isEqualTo("$edgeAgent has no method '" + method
                    + "'; it answers ping, RestartModule, GetModuleLogs");
        }
    }

    @Test
    void aSlowRestartBlocksNeitherTheCallerNorAPing() throws Exception {
        deployRunningModule();
        runtime.gate = new CountDownLatch(1);

        long before = System.nanoTime();
        CompletionStage<MethodResult> restart = invoker.invoke(request("RestartModule", "{\"id\": \"m\"}"));
        assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(1));
        assertThat(runtime.stopping.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(restart.toCompletableFuture()).isNotDone();

        assertThat(call("ping", "null")).isEqualTo(new MethodResult(200, "null"));
        assertThat(restart.toCompletableFuture()).isNotDone();

        runtime.gate.countDown();
        assertThat(answer(restart)).isEqualTo(new MethodResult(200, "null"));
        assertThat(runtime.calls).endsWith("stop:m", "start:m");
    }

    @Test
    void aRestartLongerThanTheResponseTimeoutIsA504AndStillHappens() throws Exception {
        deployRunningModule();
        runtime.gate = new CountDownLatch(1);

        MethodInvocationException late = failure(invoker.invoke(
                request(SELF, "RestartModule", "{\"id\": \"m\"}", Duration.ofMillis(300))));
        assertThat(late.status()).isEqualTo(MethodInvocationException.TIMED_OUT);
        assertThat(late.getMessage()).isEqualTo("gw7/$edgeAgent did not answer RestartModule within 300 ms");
        assertThat(runtime.calls).doesNotContain("stop:m");

        runtime.gate.countDown();
        // a snapshot: the agent's thread may still be appending (a view of the live list would fail)
        awaitTrue(() -> {
            List<String> calls = List.copyOf(runtime.calls);
            return calls.size() >= 2 && calls.subList(calls.size() - 2, calls.size()).equals(List.of("stop:m", "start:m"));
        }, "the restart to finish");
        assertThat(runtime.calls).endsWith("stop:m", "start:m");
    }

    @Test
    void callsBeyondTheQueueAreRefusedAndWaitingOnesFailWhenTheComponentStops() throws Exception {
        deployRunningModule();
        runtime.gate = new CountDownLatch(1);
        // both threads busy: one restart in the slow stop, the next waiting for the agent's lock
        CompletionStage<MethodResult> first = invoker.invoke(request("RestartModule", "{\"id\": \"m\"}"));
        assertThat(runtime.stopping.await(10, TimeUnit.SECONDS)).isTrue();
        CompletionStage<MethodResult> second = invoker.invoke(request("RestartModule", "{\"id\": \"m\"}"));
        awaitTrue(() -> runtime.methodLookups.get() == 2, "the second restart on the second thread");
        List<CompletionStage<MethodResult>> waiting = new ArrayList<>();
        for (int i = 0; i < AgentMethodInvoker.QUEUE; i++) waiting.add(invoker.invoke(request("ping", "null")));
        Thread.sleep(100); // would a queued ping run, it would have by now
        assertThat(waiting).noneMatch(p -> p.toCompletableFuture().isDone());
        MethodInvocationException busy = failure(invoker.invoke(request("ping", "null")));
        assertThat(busy.status()).isEqualTo(AgentMethodInvoker.BUSY);

        CompletableFuture<Void> stopped = CompletableFuture.runAsync(() -> {
            try {
                invoker.deactivate();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        for (CompletionStage<MethodResult> ping : waiting) {
            MethodInvocationException e = failure(ping);
            assertThat(e.status()).isEqualTo(MethodInvocationException.NOT_CONNECTED);
            assertThat(e.getMessage()).isEqualTo("gw7/$edgeAgent is stopping");
        }
        assertThat(stopped).isNotDone(); // the restart under way is let finish
        runtime.gate.countDown();
        stopped.get(10, TimeUnit.SECONDS);
        assertThat(answer(first)).isEqualTo(new MethodResult(200, "null"));
        assertThat(answer(second)).isEqualTo(new MethodResult(200, "null"));

        assertThat(invoker.holds(SELF)).isFalse();
        assertThat(failure(invoker.invoke(request("ping", "null"))).status())
                .isEqualTo(MethodInvocationException.NOT_CONNECTED);
    }
}
