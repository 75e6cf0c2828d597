package io.gatehouse.amqp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.message.SystemProperties;
import io.gatehouse.api.route.EndpointIds;
import java.util.Map;
import org.apache.qpid.proton.amqp.messaging.Accepted;
import org.apache.qpid.proton.engine.Sender;
import org.junit.jupiter.api.Test;

/** A child gateway authenticates the identities below it over CBS with the auth-chain extension. */
class CbsAuthChainTest extends HeadFixture {
    static final String KEY_LINE1 = "bGluZTEta2V5LWxpbmUxLWtleS1saW5lMS1rZXktbGluZTE=";
    static final String KEY_LEAF = "bGVhZjcta2V5LWxlYWY3LWtleS1sZWFmNy1rZXktbGVhZjc=";
    static final IdentityId LEAF7 = IdentityId.device("leaf7");
    static final IdentityId SENSOR = IdentityId.module("line1", "tempSensor");

    void registerTree() {
        authenticator.registerEdge("line1", KEY_LINE1, null).registerChild("leaf7", KEY_LEAF, "line1")
                .registerChild("stranger", KEY2, null);
    }

    @Test
    void aChainAuthenticatesTheTargetWhoseLinksThenAttach() throws Exception {
        registerTree();
        try (ProtonClient c = ProtonClient.anonymous(port)) {
            assertThat(c.putToken(HUB + "/devices/line1", token(IdentityId.device("line1"), KEY_LINE1)))
                    .containsEntry("status-code", 200);
            // tokens for the targets' audiences, signed with the child's key
            assertThat(c.putToken(HUB + "/devices/leaf7", token(LEAF7, KEY_LINE1), Map.of("auth-chain", "leaf7;line1")))
                    .containsEntry("status-code", 200);
            assertThat(c.putToken(HUB + "/devices/line1/modules/tempSensor", token(SENSOR, KEY_LINE1),
                    Map.of("auth-chain", "line1%2FtempSensor;line1"))).containsEntry("status-code", 200);

            assertThat((Object) c.send(c.sender("/devices/leaf7/messages/events"), telemetry("from leaf7", Map.of())))
                    .isInstanceOf(Accepted.class);
            assertThat((Object) c.send(c.sender("/devices/line1/modules/tempSensor/messages/events"),
                    telemetry("from the sensor", Map.of()))).isInstanceOf(Accepted.class);
        }
        assertThat(store.messagesOf(EndpointIds.UPSTREAM))
                .extracting(m -> m.systemProperty(SystemProperties.CONNECTION_DEVICE_ID) + "/"
                        + m.systemProperty(SystemProperties.CONNECTION_MODULE_ID))
                .containsExactly("leaf7/null", "line1/tempSensor");
    }

    @Test
    void aRefusedChainIsAnswered401AndChangesNothing() throws Exception {
        registerTree();
        try (ProtonClient c = ProtonClient.anonymous(port)) {
            // stranger is not below line1
            Map<String, Object> notBelow = c.putToken(HUB + "/devices/stranger", token(IdentityId.device("stranger"), KEY_LINE1),
                    Map.of("auth-chain", "stranger;line1"));
            assertThat(notBelow).containsEntry("status-code", 401);
            assertThat((String) notBelow.get("status-description")).contains("stranger").contains("auth chain")
                    .doesNotContain("sig=");
            // signed with the leaf's own key instead of the actor's
            assertThat(c.putToken(HUB + "/devices/leaf7", token(LEAF7, KEY_LEAF), Map.of("auth-chain", "leaf7;line1")))
                    .containsEntry("status-code", 401);
            // a chain whose target is another identity than the audience
            assertThat(c.putToken(HUB + "/devices/leaf7", token(LEAF7, KEY_LINE1), Map.of("auth-chain", "stranger;line1")))
                    .containsEntry("status-code", 401);
            Map<String, Object> malformed = c.putToken(HUB + "/devices/leaf7", token(LEAF7, KEY_LINE1),
                    Map.of("auth-chain", "leaf7;;line1"));
            assertThat(malformed).containsEntry("status-code", 400);
            assertThat((String) malformed.get("status-description")).contains("empty element");
            assertThat(c.putToken(HUB + "/devices/leaf7", token(LEAF7, KEY_LINE1), Map.of("auth-chain", 7)))
                    .containsEntry("status-code", 400);

            for (String address : new String[] {"/devices/leaf7/messages/events", "/devices/stranger/messages/events"}) {
                Sender refused = c.sender(address);
                assertThat(c.detachCondition(refused, 2000).getCondition().toString()).isEqualTo("amqp:unauthorized-access");
            }
        }
        assertThat(head.connections().all()).isEmpty();
        assertThat(store.messagesOf(EndpointIds.UPSTREAM)).isEmpty();
    }
}
