package io.gatehouse.amqp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.message.Message;
import io.gatehouse.api.message.SystemProperties;
import io.gatehouse.api.route.EndpointIds;
import io.gatehouse.api.route.RouteTarget;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.qpid.proton.amqp.messaging.Accepted;
import org.apache.qpid.proton.amqp.messaging.AmqpValue;
import org.apache.qpid.proton.amqp.transport.ErrorCondition;
import org.apache.qpid.proton.engine.EndpointState;
import org.apache.qpid.proton.engine.Link;
import org.apache.qpid.proton.engine.Receiver;
import org.apache.qpid.proton.engine.Sasl;
import org.apache.qpid.proton.engine.Sender;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * X.509 client certificates over AMQPS, pinned by thumbprint: a link attach authenticates its
 * identity by the connection's certificate (with SASL skipped, as the SDKs' X.509 clients do, or
 * EXTERNAL), another identity's certificate is refused with the authenticator's reason, the
 * {@code gatehouse:x509} put-token lets a gateway act for a leaf with its own certificate, and
 * SAS clients, which send no certificate, are unchanged. One head for the class (each test uses
 * its own identities).
 */
class X509AuthenticationTest {
    static final String HUB = HeadFixture.HUB;
    static final IdentityId X1 = IdentityId.device("x1");
    static final IdentityId X2 = IdentityId.device("x2");
    static final IdentityId X3 = IdentityId.device("x3");
    static final IdentityId GW = IdentityId.device("gw1");
    static final IdentityId LEAF = IdentityId.device("leaf9");
    static final IdentityId D1 = HeadFixture.D1;
    static final String KEY_GW = "Z3cxLWtleS1ndzEta2V5LWd3MS1rZXktZ3cxLWtleS0=";
    static final String KEY_LEAF = "bGVhZjkta2V5LWxlYWY5LWtleS1sZWFmOS1rZXktbGU=";
    static final String KEY_STRANGER = "c3RyYW5nZXIta2V5LXN0cmFuZ2VyLWtleS1zdHJhbmc=";

    static InMemoryStore store = new InMemoryStore();
    static SasAuthenticator authenticator = new SasAuthenticator().register(D1, HeadFixture.KEY1);
    static TestCertificates server;
    static TestCertificates.ClientCertificate certX1;
    static TestCertificates.ClientCertificate certX2;
    static TestCertificates.ClientCertificate certGw;
    static AmqpHead head;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        server = TestCertificates.issue();
        certX1 = TestCertificates.selfSigned("x1");
        certX2 = TestCertificates.selfSigned("x2");
        certGw = TestCertificates.selfSigned("gw1");
        authenticator.registerThumbprint(X1, certX1.sha256Thumbprint()).registerThumbprint(X2, certX2.sha256Thumbprint())
                .registerEdge("gw1", KEY_GW, null).registerThumbprint(GW, certGw.sha256Thumbprint())
                .registerChild("leaf9", KEY_LEAF, "gw1").registerChild("stranger9", KEY_STRANGER, null);
        head = new AmqpHead();
        head.bindAuthenticator(authenticator);
        head.bindRouter(new AllToRouter(EndpointIds.UPSTREAM));
        head.bindStore(store);
        head.bindEdgeCertificates(server);
        head.activate(Configs.of(AmqpHead.Config.class, Map.of("port", -1, "tlsPort", 0, "tlsHost", "127.0.0.1",
                "ioThreads", 2, "maxMessageBytes", 4096, "serviceWaitMillis", 500L)));
        port = head.boundTlsPort();
        assertThat(port).isPositive();
    }

    @AfterAll
    static void stop() {
        if (head != null) head.deactivate();
    }

    static List<Message> storedFrom(IdentityId identity) {
        return store.messagesOf(EndpointIds.UPSTREAM).stream()
                .filter(m -> identity.deviceId().equals(m.systemProperty(SystemProperties.CONNECTION_DEVICE_ID)))
                .toList();
    }

    static ProtonClient withCertificate(TestCertificates.ClientCertificate certificate, String mechanism) throws Exception {
        ProtonClient c = ProtonClient.connectTls(port, server.clientContext(certificate), mechanism);
        assertThat(c.isOpen()).as("the hub opened the connection").isTrue();
        return c;
    }

    static boolean attached(ProtonClient c, Link link) {
        return c.detachCondition(link, 300) == null && link.getRemoteState() == EndpointState.ACTIVE;
    }

    static Map<String, Object> putX509(ProtonClient c, IdentityId target, String authChain,
            org.apache.qpid.proton.amqp.messaging.Section body) {
        Map<String, Object> props = new HashMap<>();
        props.put("type", "gatehouse:x509");
        props.put("name", HUB + "/devices/" + target.deviceId());
        if (authChain != null) props.put("auth-chain", authChain);
        return c.cbs(props, body);
    }

    @Test
    void aLinkAttachAuthenticatesItsIdentityByTheCertificateWithoutSaslOrCbs() throws Exception {
        try (ProtonClient c = withCertificate(certX1, null)) {
            Sender events = c.sender("/devices/x1/messages/events");
            assertThat(attached(c, events)).isTrue();
            assertThat((Object) c.send(events, HeadFixture.telemetry("{\"t\":1}", Map.of("k", "v")))).isInstanceOf(Accepted.class);

            Receiver c2d = c.receiver("/devices/x1/messages/deviceBound", 10);
            assertThat(attached(c, c2d)).isTrue();
            store.append(Message.builder().body("to x1".getBytes(StandardCharsets.UTF_8)).build(),
                    List.of(new RouteTarget(EndpointIds.cloudToDevice("x1"), 0, -1)));
            ProtonClient.Received got = c.receive(c2d, 5000);
            assertThat(got).isNotNull();
            assertThat(HeadFixture.bodyText(got.message())).isEqualTo("to x1");
        }
        List<Message> stored = storedFrom(X1);
        assertThat(stored).hasSize(1);
        assertThat(stored.get(0).systemProperty(SystemProperties.CONNECTION_AUTH_METHOD)).isEqualTo("selfSigned");
        assertThat(stored.get(0).properties()).containsEntry("k", "v");
    }

    @Test
    void saslExternalIsAcceptedAndTheCertificateAuthenticatesTheLinks() throws Exception {
        try (ProtonClient c = withCertificate(certX2, "EXTERNAL")) {
            assertThat(c.saslOutcome()).isEqualTo(Sasl.SaslOutcome.PN_SASL_OK);
            Sender events = c.sender("/devices/x2/messages/events");
            assertThat((Object) c.send(events, HeadFixture.telemetry("from x2", Map.of()))).isInstanceOf(Accepted.class);
        }
        assertThat(storedFrom(X2)).extracting(m -> m.systemProperty(SystemProperties.CONNECTION_AUTH_METHOD))
                .contains("selfSigned");
    }

    @Test
    void anotherIdentitysCertificateIsRefusedWithTheAuthenticatorsReasonAndNothingIsStored() throws Exception {
        int before = storedFrom(X1).size();
        try (ProtonClient c = withCertificate(certX2, null)) {
            ErrorCondition refused = c.detachCondition(c.sender("/devices/x1/messages/events"), 2000);
            assertThat(refused).isNotNull();
            assertThat(refused.getCondition().toString()).isEqualTo("amqp:unauthorized-access");
            assertThat(refused.getDescription()).contains("x1").contains("refused")
                    .contains("thumbprint is not the one registered for x1");

            ErrorCondition sasOnly = c.detachCondition(c.receiver("/devices/d1/messages/deviceBound", 10), 2000);
            assertThat(sasOnly.getCondition().toString()).isEqualTo("amqp:unauthorized-access");
            assertThat(sasOnly.getDescription()).contains("d1 has no certificate thumbprint registered");

            // the refusals changed nothing: the certificate's own identity still attaches
            assertThat(attached(c, c.sender("/devices/x2/messages/events"))).isTrue();
        }
        assertThat(storedFrom(X1)).hasSize(before);
    }

    @Test
    void aGatewayPutsAnX509TokenForALeafAlongItsAuthChainAndTheLeafsLinksAttach() throws Exception {
        try (ProtonClient c = withCertificate(certGw, null)) {
            assertThat(putX509(c, LEAF, "leaf9;gw1", null)).containsEntry("status-code", 200);
            assertThat(putX509(c, GW, null, new AmqpValue(""))).containsEntry("status-code", 200);

            Sender leafEvents = c.sender("/devices/leaf9/messages/events");
            assertThat((Object) c.send(leafEvents, HeadFixture.telemetry("from leaf9", Map.of()))).isInstanceOf(Accepted.class);
            assertThat(attached(c, c.sender("/devices/gw1/messages/events"))).isTrue();

            Map<String, Object> notBelow = putX509(c, IdentityId.device("stranger9"), "stranger9;gw1", null);
            assertThat(notBelow).containsEntry("status-code", 401);
            assertThat((String) notBelow.get("status-description")).contains("stranger9").contains("is not below gw1");
            ErrorCondition refused = c.detachCondition(c.sender("/devices/stranger9/messages/events"), 2000);
            assertThat(refused.getCondition().toString()).isEqualTo("amqp:unauthorized-access");

            Map<String, Object> withToken = putX509(c, LEAF, "leaf9;gw1", new AmqpValue("SharedAccessSignature sr=x"));
            assertThat(withToken).containsEntry("status-code", 400);
            assertThat((String) withToken.get("status-description")).contains("carries no token");
        }
        List<Message> stored = storedFrom(LEAF);
        assertThat(stored).hasSize(1);
        assertThat(stored.get(0).systemProperty(SystemProperties.CONNECTION_AUTH_METHOD)).isEqualTo("selfSigned");
        assertThat(storedFrom(IdentityId.device("stranger9"))).isEmpty();
    }

    @Test
    void withoutACertificateAnX509PutTokenIs401AndSasClientsWorkAsBefore() throws Exception {
        try (ProtonClient c = ProtonClient.connectTls(port, server.clientContext(), "ANONYMOUS")) {
            Map<String, Object> none = putX509(c, X1, null, null);
            assertThat(none).containsEntry("status-code", 401);
            assertThat((String) none.get("status-description")).contains("no client certificate on this connection");
            ErrorCondition refused = c.detachCondition(c.sender("/devices/x1/messages/events"), 2000);
            assertThat(refused.getDescription()).isEqualTo("x1 is not authenticated on this connection");

            // a SAS client over AMQPS sends no certificate and is served as ever
            assertThat(c.putToken(HUB + "/devices/d1", HeadFixture.token(D1, HeadFixture.KEY1))).containsEntry("status-code", 200);
            assertThat((Object) c.send(c.sender("/devices/d1/messages/events"), HeadFixture.telemetry("sas", Map.of())))
                    .isInstanceOf(Accepted.class);
        }
        assertThat(storedFrom(D1)).extracting(m -> m.systemProperty(SystemProperties.CONNECTION_AUTH_METHOD))
                .containsExactly("sas");
    }

    @Test
    void anIdentityAuthenticatedByACertificateHoldsUntilItsNotAfter() throws Exception {
        // X.509 validity has whole seconds
        Instant notAfter = Instant.now().plusSeconds(4).truncatedTo(ChronoUnit.SECONDS);
        TestCertificates.ClientCertificate shortLived = TestCertificates.selfSigned("x3", notAfter);
        authenticator.registerThumbprint(X3, shortLived.sha256Thumbprint());
        try (ProtonClient c = withCertificate(shortLived, null)) {
            Sender events = c.sender("/devices/x3/messages/events");
            assertThat(attached(c, events)).isTrue();
            ErrorCondition expired = c.detachCondition(events, 8000);
            assertThat(expired).as("detached at notAfter").isNotNull();
            assertThat(expired.getCondition().toString()).isEqualTo("amqp:unauthorized-access");
            assertThat(expired.getDescription()).isEqualTo("the client certificate of x3 expired");
            assertThat(Instant.now()).isAfterOrEqualTo(notAfter.minusMillis(100));

            ErrorCondition again = c.detachCondition(c.sender("/devices/x3/messages/events"), 2000);
            assertThat(again.getDescription()).contains("not valid now");
        }
    }
}
