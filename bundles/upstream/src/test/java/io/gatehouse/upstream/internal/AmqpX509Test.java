package io.gatehouse.upstream.internal;

import static io.gatehouse.upstream.internal.Fixtures.await;
import static io.gatehouse.upstream.internal.Fixtures.config;
import static io.gatehouse.upstream.internal.Fixtures.message;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.api.identity.Identity;
import io.gatehouse.api.identity.IdentityId;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** X.509 over AMQPS: the certificate in the handshake, SASL EXTERNAL, gatehouse:x509 put-tokens, no renewal. */
class AmqpX509Test {
    @TempDir
    Path dir;

    @Test
    void everyIdentityAuthenticatesByTheGatewaysCertificateOnBehalfWithItsChainAndNothingIsRenewed() throws Exception {
        ParentCertificate server = new ParentCertificate("127.0.0.1");
        ParentCertificate device = new ParentCertificate("amqpgw", "RSA");
        try (AmqpParent parent = new AmqpParent(server.serverContext(device.certificate))) {
            MemoryStore store = new MemoryStore();
            store.append(message("amqpgw", null, "own-1", "{}"));
            store.append(message("aleaf", null, "leaf-1", "{}"));
            MemoryRegistry registry = new MemoryRegistry()
                    .with(new Identity(IdentityId.device("aleaf"), "a2V5", "a2V5", false, "amqpgw"));
            HmacSigner signer = new HmacSigner();
            Map<String, Object> c = new HashMap<>();
            c.put("hostName", "127.0.0.1");
            c.put("port", parent.port);
            c.put("protocol", "amqps");
            c.put("caFile", server.writePem(dir.resolve("ca.pem")).toString());
            c.put("certFile", device.writePem(dir.resolve("device.pem")).toString());
            c.put("keyFile", device.writeKeyPkcs8(dir.resolve("device-key.pem")).toString());
            c.put("deviceId", "amqpgw");
            c.put("operationTimeoutSecs", 5);
            c.put("reconnectMaxDelaySecs", 1);
            c.put("tokenValiditySecs", 1); // a SAS token would be renewed every 0.8 s
            c.put("stateDirectory", dir.resolve("state").toString());
            UpstreamComponent upstream = new UpstreamComponent(store, registry, signer, config(c));
            try {
                await("both messages went", () -> store.pending() == 0, store::pending);
                Thread.sleep(1500);
                assertThat(parent.telemetry("amqpgw")).extracting(AmqpParent.Telemetry::messageId).containsExactly("own-1");
                assertThat(parent.telemetry("aleaf")).extracting(AmqpParent.Telemetry::messageId).containsExactly("leaf-1");
                assertThat(parent.containers).as("one connection").hasSize(1);
                assertThat(parent.saslMechanisms).containsExactly("EXTERNAL");
                assertThat(parent.peerCertificates).containsExactly(device.certificate);

                assertThat(parent.tokenRequests).isNotEmpty().allSatisfy(t -> {
                    assertThat(t.type()).isEqualTo("gatehouse:x509");
                    assertThat(t.body()).isEqualTo("");
                });
                assertThat(parent.tokenRequests).as("its own identity once, without chain: never renewed")
                        .filteredOn(t -> t.name().equals("amqps://127.0.0.1/devices/amqpgw"))
                        .extracting(AmqpParent.TokenRequest::authChain).containsExactly((String) null);
                assertThat(parent.tokenRequests).filteredOn(t -> t.name().equals("amqps://127.0.0.1/devices/aleaf"))
                        .extracting(AmqpParent.TokenRequest::authChain).containsExactly("aleaf;amqpgw");
                assertThat(parent.tokenRequests)
                        .filteredOn(t -> t.name().equals("amqps://127.0.0.1/devices/amqpgw/modules/%24edgeAgent"))
                        .extracting(AmqpParent.TokenRequest::authChain).containsExactly("amqpgw%2F%24edgeAgent;amqpgw");
                assertThat(parent.tokens).allSatisfy(t -> assertThat(t.status()).isEqualTo(200));
                assertThat(signer.signed).as("no SAS token was made").isEmpty();
            } finally {
                upstream.deactivate();
            }
        }
    }
}
