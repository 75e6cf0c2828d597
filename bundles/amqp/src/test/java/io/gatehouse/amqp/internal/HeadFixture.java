package io.gatehouse.amqp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.route.EndpointIds;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.messaging.ApplicationProperties;
import org.apache.qpid.proton.amqp.messaging.Data;
import org.apache.qpid.proton.amqp.messaging.Properties;
import org.apache.qpid.proton.engine.Sasl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A head on a free plain port with the test store, router and authenticator, started for each
 * test, and the helpers the Proton-J tests share.
 */
abstract class HeadFixture {
    static final String HUB = "hub.example.net";
    static final IdentityId D1 = IdentityId.device("d1");
    static final IdentityId D2 = IdentityId.device("d2");
    static final IdentityId M1 = IdentityId.module("d1", "m1");
    static final String KEY1 = "a2V5LW9mLWQxLWEyVjVMVzltTFdReGEyVjVMVzltTFdReA==";
    static final String KEY2 = "a2V5LW9mLWQyLWEyVjVMVzltTFdReGEyVjVMVzltTFdReA==";
    static final String KEYM = "a2V5LW9mLW0xLWEyVjVMVzltTFdReGEyVjVMVzltTFdReA==";

    InMemoryStore store = new InMemoryStore();
    AllToRouter router = new AllToRouter(EndpointIds.UPSTREAM);
    SasAuthenticator authenticator = new SasAuthenticator().register(D1, KEY1).register(D2, KEY2).register(M1, KEYM);
    AmqpHead head;
    int port;

    @BeforeEach
    void start() throws Exception {
        head = start(Map.of());
    }

    AmqpHead start(Map<String, Object> overrides) throws Exception {
        AmqpHead h = new AmqpHead();
        h.bindAuthenticator(authenticator);
        h.bindRouter(router);
        h.bindStore(store);
        Map<String, Object> config = new HashMap<>(Map.of("port", 0, "tlsPort", -1, "ioThreads", 2, "maxMessageBytes", 4096,
                "serviceWaitMillis", 500L));
        config.putAll(overrides);
        h.activate(Configs.of(AmqpHead.Config.class, config));
        port = h.boundPort();
        return h;
    }

    @AfterEach
    void stop() {
        head.deactivate();
    }

    static String token(IdentityId id, String key) {
        return SasAuthenticator.token(HUB, id, key, System.currentTimeMillis() / 1000 + 3600);
    }

    static String plainUser(IdentityId id) {
        return id.deviceId() + (id.isModule() ? "/modules/" + id.moduleId() : "") + "@sas." + HUB.split("\\.")[0];
    }

    static org.apache.qpid.proton.message.Message telemetry(String body, Map<String, Object> appProperties) {
        org.apache.qpid.proton.message.Message m = org.apache.qpid.proton.message.Message.Factory.create();
        Properties p = new Properties();
        p.setMessageId("mid-1");
        p.setContentType(Symbol.valueOf("application/json"));
        m.setProperties(p);
        m.setApplicationProperties(new ApplicationProperties(new HashMap<>(appProperties)));
        m.setBody(new Data(new Binary(body.getBytes(StandardCharsets.UTF_8))));
        return m;
    }

    static String bodyText(org.apache.qpid.proton.message.Message m) {
        Binary b = ((Data) m.getBody()).getValue();
        return new String(b.getArray(), b.getArrayOffset(), b.getLength(), StandardCharsets.UTF_8);
    }

    ProtonClient plain(IdentityId id, String key) throws Exception {
        ProtonClient c = ProtonClient.connect(port, "PLAIN", plainUser(id), token(id, key));
        assertThat(c.saslOutcome()).isEqualTo(Sasl.SaslOutcome.PN_SASL_OK);
        return c;
    }

}
