package io.gatehouse.amqp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.api.identity.Identity;
import io.gatehouse.api.identity.IdentityId;
import java.util.Map;
import java.util.UUID;
import org.apache.qpid.proton.amqp.messaging.ApplicationProperties;
import org.apache.qpid.proton.amqp.messaging.Properties;
import org.apache.qpid.proton.message.Message;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The node $gatehouse/scope: a child gateway connected directly reads the identities below it. */
class ScopeNodeTest extends HeadFixture {
    static final String KEY_LINE1 = CbsAuthChainTest.KEY_LINE1;
    static final IdentityId LINE1 = IdentityId.device("line1");
    static final String THUMB1 = "A".repeat(40);
    static final String THUMB2 = "B".repeat(64);
    InMemoryRegistry registry = new InMemoryRegistry();

    @BeforeEach
    void registerTree() {
        authenticator.registerEdge("line1", KEY_LINE1, null).registerChild("leaf7", CbsAuthChainTest.KEY_LEAF, "line1");
        registry.add(new Identity(LINE1, KEY_LINE1, null, true, null));
        registry.add(new Identity(IdentityId.device("leaf7"), "cHJpbWFyeQ==", "c2Vjb25kYXJ5", false, "line1"));
        registry.add(new Identity(IdentityId.module("leaf7", "filter"), "bW9kdWxl", null));
        registry.add(new Identity(IdentityId.device("camera"), null, null, false, "line1").withThumbprints(THUMB1, THUMB2));
        registry.add(D1, KEY1, null);
        head.bindIdentityRegistry(registry);
    }

    static Message get() {
        Message request = Message.Factory.create();
        Properties p = new Properties();
        p.setMessageId(UUID.randomUUID());
        request.setProperties(p);
        request.setApplicationProperties(new ApplicationProperties(Map.of("operation", "GET")));
        return request;
    }

    record Reply(int status, String body) {
    }

    static Reply ask(ProtonClient c) {
        ProtonClient.Node node = c.node("$gatehouse/scope", null);
        Message request = get();
        ProtonClient.Received reply = c.ask(node, request);
        assertThat(reply).as("an answer").isNotNull();
        assertThat(reply.message().getCorrelationId()).isEqualTo(request.getMessageId());
        Object status = reply.message().getApplicationProperties().getValue().get("status-code");
        return new Reply((Integer) status, bodyText(reply.message()));
    }

    @Test
    void anEdgeDeviceConnectedDirectlyGetsItsScopeAsTheMqttHeadWritesIt() throws Exception {
        try (ProtonClient c = ProtonClient.anonymous(port)) {
            // a second identity on the connection that is no edge device does not matter
            assertThat(c.putToken(HUB + "/devices/d1", token(D1, KEY1))).containsEntry("status-code", 200);
            assertThat(c.putToken(HUB + "/devices/line1", token(LINE1, KEY_LINE1))).containsEntry("status-code", 200);
            Reply reply = ask(c);
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.body()).isEqualTo("{\"identities\":["
                    + "{\"deviceId\":\"leaf7\",\"primaryKey\":\"cHJpbWFyeQ==\",\"secondaryKey\":\"c2Vjb25kYXJ5\","
                    + "\"edgeDevice\":false,\"parentDeviceId\":\"line1\"},"
                    + "{\"deviceId\":\"leaf7\",\"moduleId\":\"filter\",\"primaryKey\":\"bW9kdWxl\",\"secondaryKey\":null,"
                    + "\"edgeDevice\":false},"
                    + "{\"deviceId\":\"camera\",\"primaryKey\":null,\"secondaryKey\":null,\"edgeDevice\":false,"
                    + "\"parentDeviceId\":\"line1\",\"x509PrimaryThumbprint\":\"" + THUMB1 + "\","
                    + "\"x509SecondaryThumbprint\":\"" + THUMB2 + "\"}]}");
        }
    }

    @Test
    void aDeviceThatIsNoEdgeDeviceOrIsAuthenticatedThroughAChainIsRefused403() throws Exception {
        try (ProtonClient c = plain(D1, KEY1)) {
            Reply reply = ask(c);
            assertThat(reply.status()).isEqualTo(403);
            assertThat(reply.body()).contains("\"error\"").contains("not a registered edge device").doesNotContain("Key");
        }
        authenticator.registerEdge("plant", KEY2, null);
        registry.add(new Identity(IdentityId.device("plant"), KEY2, null, true, null));
        try (ProtonClient c = ProtonClient.anonymous(port)) {
            // line1 (an edge device) authenticated by its parent gateway on its behalf
            authenticator.registerEdge("line1", KEY_LINE1, "plant");
            assertThat(c.putToken(HUB + "/devices/line1", token(LINE1, KEY2), Map.of("auth-chain", "line1;plant")))
                    .containsEntry("status-code", 200);
            Reply reply = ask(c);
            assertThat(reply.status()).isEqualTo(403);
            assertThat(reply.body()).contains("without an auth chain").doesNotContain("cHJpbWFyeQ==");
        }
        try (ProtonClient c = ProtonClient.anonymous(port)) {
            assertThat(ask(c).status()).as("nobody authenticated").isEqualTo(403);
        }
    }

    @Test
    void noRegistryIsAnswered503AndAnUnknownOperation400() throws Exception {
        try (ProtonClient c = ProtonClient.anonymous(port)) {
            assertThat(c.putToken(HUB + "/devices/line1", token(LINE1, KEY_LINE1))).containsEntry("status-code", 200);
            ProtonClient.Node node = c.node("$gatehouse/scope", null);
            Message put = get();
            put.setApplicationProperties(new ApplicationProperties(Map.of("operation", "PUT")));
            ProtonClient.Received refused = c.ask(node, put);
            assertThat(refused.message().getApplicationProperties().getValue()).containsEntry("status-code", 400);

            head.unbindIdentityRegistry(registry);
            ProtonClient.Received unavailable = c.ask(node, get());
            assertThat(unavailable.message().getApplicationProperties().getValue()).containsEntry("status-code", 503);
            assertThat(bodyText(unavailable.message())).contains("registry");
        }
    }
}
