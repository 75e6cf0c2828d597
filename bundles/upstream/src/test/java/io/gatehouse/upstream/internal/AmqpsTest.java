package io.gatehouse.upstream.internal;

import static io.gatehouse.upstream.internal.Fixtures.amqp;
import static io.gatehouse.upstream.internal.Fixtures.await;
import static io.gatehouse.upstream.internal.Fixtures.config;
import static io.gatehouse.upstream.internal.Fixtures.message;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** AMQP over TLS: the parent's certificate must chain to caFile and name the host. */
class AmqpsTest {
    @TempDir
    Path dir;

    private static Map<String, Object> amqps(AmqpParent parent, String deviceId, Path state, Path ca) {
        Map<String, Object> c = amqp(parent, deviceId, state);
        c.put("protocol", "amqps");
        c.put("caFile", ca.toString());
        return c;
    }

    @Test
    void aParentWhoseCertificateIsTrustedAndNamesTheHostTakesTheMessages() throws Exception {
        ParentCertificate certificate = new ParentCertificate("127.0.0.1");
        try (AmqpParent parent = new AmqpParent(certificate.serverContext())) {
            MemoryStore store = new MemoryStore();
            store.append(message("tls1", null, "secure", "{}"));
            UpstreamComponent upstream = new UpstreamComponent(store, new MemoryRegistry(), new HmacSigner(),
                    config(amqps(parent, "tls1", dir.resolve("s1"), certificate.writePem(dir.resolve("ca.pem")))));
            try {
                await("the message went over TLS", () -> store.pending() == 0, store::pending);
                assertThat(parent.telemetry("tls1")).extracting(AmqpParent.Telemetry::messageId).containsExactly("secure");
            } finally {
                upstream.deactivate();
            }
        }
    }

    @Test
    void aCertificateForAnotherHostIsRefusedAndMessagesWait() throws Exception {
        ParentCertificate elsewhere = new ParentCertificate("elsewhere.test");
        try (AmqpParent parent = new AmqpParent(elsewhere.serverContext())) {
            MemoryStore store = new MemoryStore();
            store.append(message("tls2", null, "waits", "{}"));
            UpstreamComponent upstream = new UpstreamComponent(store, new MemoryRegistry(), new HmacSigner(),
                    config(amqps(parent, "tls2", dir.resolve("s2"), elsewhere.writePem(dir.resolve("other.pem")))));
            try {
                Thread.sleep(1500);
                assertThat(upstream.linkUp()).isFalse();
                assertThat(store.pending()).isEqualTo(1);
                assertThat(parent.tokens).as("no token ever went to a parent that is not the host").isEmpty();
            } finally {
                upstream.deactivate();
            }
        }
    }
}
