package io.gatehouse.upstream.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.qpid.proton.amqp.messaging.AmqpValue;
import org.apache.qpid.proton.amqp.messaging.ApplicationProperties;
import org.apache.qpid.proton.amqp.messaging.Properties;
import org.apache.qpid.proton.engine.Session;
import org.apache.qpid.proton.message.Message;

/**
 * The claims-based security node {@code $cbs} of the connection: every identity authenticates by a
 * put-token (reference §5.6). On behalf of anyone but the gateway itself, the request carries the
 * Gatehouse {@code auth-chain} application property (the chain the MQTT user name carries), and
 * the token is signed with the gateway's key; with X.509 the token is of type {@code gatehouse:x509}
 * and empty (the parent judges the connection's client certificate). Used on the engine, except
 * {@link #request}.
 */
final class CbsClient {
    static final String ADDRESS = "$cbs";
    static final String TOKEN_TYPE = UpstreamCredentials.SAS_TOKEN_TYPE;
    static final String AUTH_CHAIN = "auth-chain";

    /** The parent's answer: 200 authenticated. */
    record Result(int status, String description) {
        boolean authenticated() {
            return status == 200;
        }
    }

    private final AmqpLinkPair links;
    private final AmqpRequests requests = new AmqpRequests();

    /** @param lost why the parent detached {@code $cbs} (the connection cannot authenticate anyone any more) */
    CbsClient(Session session, Consumer<String> lost) {
        this.links = new AmqpLinkPair(session, "cbs", ADDRESS, null, this::replied, reason -> {
            requests.failAll(reason);
            lost.accept(reason);
        });
    }

    CompletableFuture<Void> attached() {
        return links.attached();
    }

    /**
     * Sends a put-token for {@code audience}.
     *
     * @param token its body is a secret (a SAS token): it goes into the request body only
     * @param authChain null for the gateway itself
     */
    CompletableFuture<Message> putToken(String audience, UpstreamCredentials.CbsToken token, String authChain) {
        UUID id = UUID.randomUUID();
        CompletableFuture<Message> reply = requests.open(id);
        links.send(request(id, token.type(), audience, token.body(), authChain));
        return reply;
    }

    void forget(Object id) {
        requests.forget(id);
    }

    private void replied(Message reply) {
        requests.complete(reply);
    }

    void failAll(String reason) {
        requests.failAll(reason);
    }

    /** A SAS put-token. */
    static Message request(UUID id, String audience, String token, String authChain) {
        return request(id, TOKEN_TYPE, audience, token, authChain);
    }

    /**
     * {@code operation=put-token}, {@code type}, {@code name}, [{@code auth-chain}]; the token as an
     * AmqpValue string (empty for {@code gatehouse:x509}).
     */
    static Message request(UUID id, String type, String audience, String token, String authChain) {
        Message m = Message.Factory.create();
        Properties p = new Properties();
        p.setMessageId(id);
        p.setTo(ADDRESS);
        p.setReplyTo("cbs");
        m.setProperties(p);
        Map<String, Object> application = new LinkedHashMap<>();
        application.put("operation", "put-token");
        application.put("type", type);
        application.put("name", audience);
        if (authChain != null) application.put(AUTH_CHAIN, authChain);
        m.setApplicationProperties(new ApplicationProperties(application));
        m.setBody(new AmqpValue(token));
        return m;
    }

    /** The status of a reply: {@code status-code} (a number, or a number in text), {@code status-description}. */
    static Result result(Message reply) {
        Map<?, ?> props = reply.getApplicationProperties() == null || reply.getApplicationProperties().getValue() == null
                ? Map.of() : reply.getApplicationProperties().getValue();
        return new Result(status(props.get("status-code")), String.valueOf(props.get("status-description")));
    }

    /** A status as a number; 0 when it is missing or not one. */
    static int status(Object value) {
        if (value instanceof Number n) return n.intValue();
        if (value != null) {
            try {
                return Integer.parseInt(value.toString().strip());
            } catch (NumberFormatException e) {
                return 0;
            }
        }
        return 0;
    }
}
