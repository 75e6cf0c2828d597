package io.gatehouse.upstream.internal;

import static io.gatehouse.upstream.internal.Fixtures.await;
import static io.gatehouse.upstream.internal.Fixtures.config;
import static io.gatehouse.upstream.internal.Fixtures.mqtt;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.api.identity.Identity;
import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.method.MethodInvocationException;
import io.gatehouse.api.method.MethodRequest;
import io.gatehouse.api.method.MethodResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Direct methods the parent (a Paho client on Mosquitto) calls on this gateway's modules, relayed
 * to the local invokers and answered on the res topic. Mosquitto hands a call to every connection
 * subscribed to method calls, here the module's and {@code $edgeAgent}'s, so each test looks for
 * the answer of the one it means by what the answer says.
 */
class MirroredMethodsTest {
    static Mosquitto mosquitto;
    static Parent parent;
    private final ObjectMapper json = new ObjectMapper();
    private UpstreamComponent upstream;
    @TempDir
    Path state;

    @BeforeAll
    static void startParent() throws Exception {
        mosquitto = Mosquitto.started();
        parent = Parent.connect(mosquitto.uri());
        parent.everyTwin = "{\"desired\":{\"$version\":1},\"reported\":{\"$version\":1}}";
    }

    @AfterAll
    static void stopParent() throws Exception {
        if (parent != null) parent.close();
        if (mosquitto != null) mosquitto.stop();
    }

    @BeforeEach
    void resetParent() {
        parent.methodAnswers.clear();
    }

    @AfterEach
    void stopUpstream() {
        if (upstream != null) upstream.deactivate();
    }

    /** Starts an upstream for {@code deviceId} with module m1 and waits until its connections are subscribed. */
    private void start(String deviceId) throws Exception {
        MemoryRegistry registry = new MemoryRegistry().with(new Identity(IdentityId.module(deviceId, "m1"), "a2V5", "a2V5"));
        upstream = new UpstreamComponent(new MemoryStore(), registry, new HmacSigner(),
                config(mqtt(mosquitto, deviceId, state)));
        upstream.bindTwinStore(new MemoryTwinStore());
        await("the module's and the agent's connections subscribed", () -> mosquitto.subscribed(deviceId + "/m1")
                && mosquitto.subscribed(deviceId + "/$edgeAgent"));
    }

    private Parent.Received answer(String rid, String status) throws InterruptedException {
        await("an answer " + status + " to call " + rid, () -> parent.methodAnswers(rid).stream()
                .anyMatch(a -> status(a).equals(status)), () -> parent.methodAnswers);
        return parent.methodAnswers(rid).stream().filter(a -> status(a).equals(status)).findFirst().orElseThrow();
    }

    private static String status(Parent.Received answer) {
        String rest = answer.topic().substring("$iothub/methods/res/".length());
        return rest.substring(0, rest.indexOf('/'));
    }

    @Test
    void aCallReachesTheInvokerThatHoldsTheModuleAndItsAnswerGoesBackWithTheRidAndStatus() throws Exception {
        start("mm1");
        IdentityId m1 = IdentityId.module("mm1", "m1");
        ScriptedInvoker nobody = new ScriptedInvoker(Set.of(), r -> null);
        ScriptedInvoker head = new ScriptedInvoker(Set.of(m1),
                r -> new MethodResult(201, "{\"from\":\"" + r.target() + "\",\"got\":" + r.payloadJson() + "}"));
        upstream.bindMethodInvoker(nobody);
        upstream.bindMethodInvoker(head);

        parent.callMethod("reboot", "r1", "{\"delay\":3}");
        Parent.Received answer = answer("r1", "201");
        assertThat(answer.topic()).isEqualTo("$iothub/methods/res/201/?$rid=r1");
        assertThat(json.readTree(answer.payload())).isEqualTo(json.readTree("{\"from\":\"mm1/m1\",\"got\":{\"delay\":3}}"));
        MethodRequest request = head.requests.get(0);
        assertThat(request.target()).isEqualTo(m1);
        assertThat(request.methodName()).isEqualTo("reboot");
        assertThat(json.readTree(request.payloadJson())).isEqualTo(json.readTree("{\"delay\":3}"));
        assertThat(request.responseTimeout()).isEqualTo(Duration.ofSeconds(30));

        // $edgeAgent's connection took the same call: held by nobody, it went to the first invoker
        Parent.Received notHeld = answer("r1", "404");
        assertThat(json.readTree(notHeld.payload())).isEqualTo(json.readTree("{\"message\":\"mm1/$edgeAgent is not connected\"}"));
        assertThat(nobody.requests).extracting(MethodRequest::target).containsExactly(IdentityId.module("mm1", "$edgeAgent"));
    }

    @Test
    void aTimeoutFromTheInvokerIsRelayedAs504WithItsReason() throws Exception {
        start("mm2");
        IdentityId m1 = IdentityId.module("mm2", "m1");
        upstream.bindMethodInvoker(new ScriptedInvoker(Set.of(m1, IdentityId.module("mm2", "$edgeAgent")), r -> {
            if (r.target().equals(m1)) {
                throw new MethodInvocationException(MethodInvocationException.TIMED_OUT, "m1 did not answer in 30 s");
            }
            return new MethodResult(200, null);
        }));

        parent.callMethod("slow", "r2", "{}");
        Parent.Received timedOut = answer("r2", "504");
        assertThat(json.readTree(timedOut.payload())).isEqualTo(json.readTree("{\"message\":\"m1 did not answer in 30 s\"}"));
        Parent.Received agent = answer("r2", "200");
        assertThat(agent.payload()).as("a result without a payload has an empty body").isEmpty();
    }

    @Test
    void withoutAnyInvokerTheAnswerIs503AndABadPayloadIsRefusedWithoutACall() throws Exception {
        start("mm3");
        parent.callMethod("reboot", "r3", "{}");
        await("both connections answered", () -> parent.methodAnswers("r3").size() == 2, () -> parent.methodAnswers);
        assertThat(parent.methodAnswers("r3")).allSatisfy(a -> assertThat(status(a)).isEqualTo("503"));

        ScriptedInvoker head = new ScriptedInvoker(Set.of(IdentityId.module("mm3", "m1")), r -> new MethodResult(200, "1"));
        upstream.bindMethodInvoker(head);
        parent.callMethod("reboot", "r4", "{not json");
        await("both connections answered", () -> parent.methodAnswers("r4").size() == 2, () -> parent.methodAnswers);
        List<Parent.Received> refused = parent.methodAnswers("r4");
        assertThat(refused).allSatisfy(a -> assertThat(status(a)).isEqualTo("400"));
        JsonNode reason = json.readTree(refused.get(0).payload());
        assertThat(reason.get("message").asText()).isEqualTo("the payload is not JSON");
        assertThat(head.requests).isEmpty();
    }
}
