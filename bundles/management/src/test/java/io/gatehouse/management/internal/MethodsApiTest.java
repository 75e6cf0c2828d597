package io.gatehouse.management.internal;

import static io.gatehouse.management.internal.Bodies.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.method.MethodInvocationException;
import io.gatehouse.api.method.MethodInvoker;
import io.gatehouse.api.method.MethodRequest;
import io.gatehouse.api.method.MethodResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** The HTTP side of direct methods; the MQTT head's delivery is tested in the broker and the system tests. */
class MethodsApiTest {
    private final ObjectMapper mapper = JsonBodies.newMapper();
    private final List<MethodRequest> sent = new ArrayList<>();
    private static final IdentityId EDGE_AGENT = IdentityId.module("edge1", "$edgeAgent");

    private final List<String> calledOn = new ArrayList<>();

    /** A protocol head that holds every target. */
    private MethodInvoker invoker(Function<MethodRequest, CompletionStage<MethodResult>> answer) {
        return invoker("head", t -> true, false, answer);
    }

    private MethodInvoker invoker(String name, Predicate<IdentityId> holds, boolean fixedTargets,
            Function<MethodRequest, CompletionStage<MethodResult>> answer) {
        return new MethodInvoker() {
            @Override
            public boolean holds(IdentityId target) {
                return holds.test(target);
            }

            @Override
            public boolean waitsForTargets() {
                return !fixedTargets;
            }

            @Override
            public CompletionStage<MethodResult> invoke(MethodRequest request) {
                sent.add(request);
                calledOn.add(name);
                return answer.apply(request);
            }
        };
    }

    private MethodsApi api(MethodInvoker... invokers) {
        return new MethodsApi(List.of(invokers), mapper);
    }

    /** Stands for the agent's invoker: holds edge1/$edgeAgent only and answers as the agent does. */
    private MethodInvoker agent() {
        return invoker("agent", EDGE_AGENT::equals, true, r -> switch (r.methodName()) {
            case "ping" -> CompletableFuture.completedFuture(new MethodResult(200, "null"));
            case "RestartModule" -> r.payloadJson().contains("ghost")
                    ? CompletableFuture.completedFuture(new MethodResult(404, "{\"message\":\"no module 'ghost'\"}"))
                    : CompletableFuture.failedFuture(new MethodInvocationException(400, "RestartModule needs {\"id\": \"<module>\"}"));
            default -> CompletableFuture.failedFuture(new MethodInvocationException(501, "$edgeAgent has no method '"
                    + r.methodName() + "'; it answers ping, RestartModule, GetModuleLogs"));
        });
    }

    /** A protocol head that holds nobody: a target that is not connected is a 404. */
    private MethodInvoker emptyHead() {
        return invoker("head", t -> false, false, r -> CompletableFuture.failedFuture(
                new MethodInvocationException(404, r.target() + " is not connected")));
    }

    @Test
    void theTargetsAnswerIsReturnedWithItsStatusAndPayload() {
        MethodsApi api = api(invoker(r -> CompletableFuture.completedFuture(new MethodResult(201, "{\"ok\":true}"))));
        ApiResponse answer = api.invoke(IdentityId.module("edge1", "filter"), json("{'methodName': 'reset', "
                + "'payload': {'level': 3}, 'responseTimeoutInSeconds': 10, 'connectTimeoutInSeconds': 2}"));
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body().toString()).isEqualTo("{\"status\":201,\"payload\":{\"ok\":true}}");
        MethodRequest request = sent.get(0);
        assertThat(request.methodName()).isEqualTo("reset");
        assertThat(request.payloadJson()).isEqualTo("{\"level\":3}");
        assertThat(request.responseTimeout().toSeconds()).isEqualTo(10);
        assertThat(request.connectTimeout().toSeconds()).isEqualTo(2);
    }

    @Test
    void noAnswerIs404Or504AndABadRequestIs400() {
        IdentityId target = IdentityId.device("sensor1");
        assertThat(api(invoker(r -> CompletableFuture.failedFuture(new MethodInvocationException(404, "not connected"))))
                .invoke(target, json("{'methodName': 'm'}")).status()).isEqualTo(404);
        assertThat(api(invoker(r -> CompletableFuture.failedFuture(new MethodInvocationException(504, "no answer"))))
                .invoke(target, json("{'methodName': 'm'}")).status()).isEqualTo(504);
        assertThat(api(invoker(r -> CompletableFuture.failedFuture(new IllegalArgumentException("bad name"))))
                .invoke(target, json("{'methodName': 'm'}")).body().path("error").asText()).isEqualTo("bad name");
        assertThat(sent).hasSize(3);
        sent.clear();
        MethodsApi api = api(invoker(r -> CompletableFuture.completedFuture(new MethodResult(200, null))));
        assertThat(api.invoke(target, json("{'payload': 1}")).status()).isEqualTo(400);
        assertThat(api.invoke(target, json("{'methodName': 'm', 'responseTimeoutInSeconds': 4}")).status()).isEqualTo(400);
        assertThat(api.invoke(target, json("{'methodName': 'm', 'connectTimeoutInSeconds': 301}")).status()).isEqualTo(400);
        assertThat(sent).isEmpty();
        assertThat(api().invoke(target, json("{'methodName': 'm'}")).status()).isEqualTo(503);
    }

    @Test
    void aCallToTheAgentGoesToTheInvokerThatHoldsItAndItsAnswersAreKept() {
        MethodsApi api = api(emptyHead(), agent());
        ApiResponse ping = api.invoke(EDGE_AGENT, json("{'methodName': 'ping'}"));
        assertThat(ping.status()).isEqualTo(200);
        assertThat(ping.body().toString()).isEqualTo("{\"status\":200,\"payload\":null}");
        assertThat(calledOn).containsExactly("agent");

        ApiResponse ghost = api.invoke(EDGE_AGENT, json("{'methodName': 'RestartModule', 'payload': {'id': 'ghost'}}"));
        assertThat(ghost.status()).isEqualTo(200);
        assertThat(ghost.body().toString()).isEqualTo("{\"status\":404,\"payload\":{\"message\":\"no module 'ghost'\"}}");
        assertThat(sent.get(1).payloadJson()).isEqualTo("{\"id\":\"ghost\"}");

        ApiResponse bad = api.invoke(EDGE_AGENT, json("{'methodName': 'RestartModule'}"));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body().path("error").asText()).isEqualTo("RestartModule needs {\"id\": \"<module>\"}");
        assertThat(sent.get(2).payloadJson()).isEqualTo("null");

        ApiResponse unknown = api.invoke(EDGE_AGENT, json("{'methodName': 'UploadSupportBundle'}"));
        assertThat(unknown.status()).isEqualTo(501);
        assertThat(unknown.body().path("error").asText()).startsWith("$edgeAgent has no method 'UploadSupportBundle'");
        assertThat(calledOn).containsOnly("agent");
    }

    @Test
    void aTargetNobodyHoldsGoesToAProtocolHeadNeverToTheAgent() {
        MethodsApi api = api(agent(), emptyHead());
        ApiResponse answer = api.invoke(IdentityId.device("sensor1"), json("{'methodName': 'm'}"));
        assertThat(answer.status()).isEqualTo(404);
        assertThat(answer.body().path("error").asText()).isEqualTo("sensor1 is not connected");
        assertThat(calledOn).containsExactly("head");
        // another gateway's agent is not ours: it is a target like any other
        assertThat(api.invoke(IdentityId.module("child1", "$edgeAgent"), json("{'methodName': 'ping'}")).status())
                .isEqualTo(404);
        assertThat(calledOn).containsExactly("head", "head");

        // with no protocol head, only the agent: its own methods work, any other target has no head to go through
        MethodsApi agentOnly = api(agent());
        ApiResponse noHead = agentOnly.invoke(IdentityId.device("sensor1"), json("{'methodName': 'm'}"));
        assertThat(noHead.status()).isEqualTo(503);
        assertThat(noHead.body().path("error").asText()).contains("no protocol head");
        assertThat(agentOnly.invoke(EDGE_AGENT, json("{'methodName': 'ping'}")).status()).isEqualTo(200);
        assertThat(calledOn).containsExactly("head", "head", "agent");
    }

    @Test
    void withoutTheAgentItsMethodsAreATargetNobodyHolds() {
        ApiResponse notConnected = api(emptyHead()).invoke(EDGE_AGENT, json("{'methodName': 'ping'}"));
        assertThat(notConnected.status()).isEqualTo(404);
        assertThat(notConnected.body().path("error").asText()).isEqualTo("edge1/$edgeAgent is not connected");
        assertThat(calledOn).containsExactly("head");
        assertThat(api().invoke(EDGE_AGENT, json("{'methodName': 'ping'}")).status()).isEqualTo(503);
    }
}
