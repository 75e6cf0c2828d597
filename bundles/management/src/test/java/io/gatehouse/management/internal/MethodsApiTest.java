package io.gatehouse.management.internal;

import static io.gatehouse.management.internal.Bodies.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.api.agent.EdgeAgentOperations;
import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.method.MethodInvocationException;
import io.gatehouse.api.method.MethodInvoker;
import io.gatehouse.api.method.MethodRequest;
import io.gatehouse.api.method.MethodResult;
import io.gatehouse.api.module.ModuleRuntimeException;
import io.gatehouse.api.module.NoSuchModuleException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The HTTP side of direct methods; the MQTT head's delivery is tested in the broker and the system tests. */
class MethodsApiTest {
    private final ObjectMapper mapper = JsonBodies.newMapper();
    private final List<MethodRequest> sent = new ArrayList<>();
    private final List<String> restarted = new ArrayList<>();

    private MethodInvoker invoker(Function<MethodRequest, CompletionStage<MethodResult>> answer) {
        return new MethodInvoker() {
            @Override
            public boolean holds(IdentityId target) {
                return true;
            }

            @Override
            public CompletionStage<MethodResult> invoke(MethodRequest request) {
                sent.add(request);
                return answer.apply(request);
            }
        };
    }

    private final EdgeAgentOperations agent = new EdgeAgentOperations() {
        @Override
        public String reportedProperties() {
            return "{}";
        }

        @Override
        public List<String> logs(String module, int tail) throws ModuleRuntimeException {
            if (!module.equals("sensor")) throw new NoSuchModuleException(module);
            return List.of("one", "two");
        }

        @Override
        public void restart(String module) throws ModuleRuntimeException {
            if (!module.equals("sensor")) throw new NoSuchModuleException(module);
            restarted.add(module);
        }
    };

    private MethodsApi api(MethodInvoker... invokers) {
        return new MethodsApi(List.of(invokers), agent, "edge1", mapper);
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
    void theAgentAnswersItsOwnMethods() throws Exception {
        IdentityId edgeAgent = IdentityId.module("edge1", "$edgeAgent");
        MethodsApi api = api();
        assertThat(api.invoke(edgeAgent, json("{'methodName': 'ping'}")).body().path("status").asInt()).isEqualTo(200);
        assertThat(api.invoke(edgeAgent, json("{'methodName': 'RestartModule', 'payload': {'schemaVersion': '1.0', "
                + "'id': 'sensor'}}")).body().path("status").asInt()).isEqualTo(200);
        assertThat(restarted).containsExactly("sensor");
        assertThat(api.invoke(edgeAgent, json("{'methodName': 'RestartModule', 'payload': {'id': 'ghost'}}"))
                .body().path("status").asInt()).isEqualTo(404);
        ApiResponse logs = api.invoke(edgeAgent, json("{'methodName': 'GetModuleLogs', 'payload': {'schemaVersion': '1.0', "
                + "'items': [{'id': 'sensor', 'filter': {'tail': 2}}], 'encoding': 'none', 'contentType': 'text'}}"));
        assertThat(logs.body().path("payload").toString()).isEqualTo("[{\"id\":\"sensor\",\"payload\":\"one\\ntwo\"}]");
        assertThat(api.invoke(edgeAgent, json("{'methodName': 'UploadSupportBundle'}")).status()).isEqualTo(501);
        assertThat(sent).isEmpty();
    }
}
