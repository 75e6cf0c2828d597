package io.gatehouse.amqp.internal;

import io.gatehouse.api.identity.AuthenticationResult;
import io.gatehouse.api.identity.Authenticator;
import io.gatehouse.api.identity.IdentityId;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.qpid.proton.amqp.messaging.AmqpValue;
import org.apache.qpid.proton.amqp.messaging.ApplicationProperties;
import org.apache.qpid.proton.amqp.messaging.Properties;
import org.apache.qpid.proton.message.Message;

/**
 * The claims-based security node {@code $cbs} (reference §5.6): a put-token request names an
 * audience and carries a SAS token; the answer says whether the identity is now authenticated
 * on the connection. With the application property {@code auth-chain} (a Gatehouse extension) a
 * gateway authenticates an identity below it with a token signed by its own key, as over MQTT.
 * The token type {@code gatehouse:x509} (a Gatehouse extension) carries no token: the identity is
 * authenticated by the client certificate of the connection's TLS handshake, a gateway's own
 * along an auth chain.
 */
final class CbsRequests {
    static final String AUTH_CHAIN = "auth-chain";
    static final String X509_TYPE = "gatehouse:x509";
    static final Set<String> TOKEN_TYPES = Set.of("azure-devices.net:sastoken", "servicebus.windows.net:sastoken");
    /** connectionAuthMethod of messages from an identity authenticated with a SAS token. */
    static final String SAS = "sas";
    /** connectionAuthMethod of messages from an identity authenticated with a certificate pinned by thumbprint. */
    static final String SELF_SIGNED = "selfSigned";

    private CbsRequests() {
    }

    /**
     * The outcome of one request: the identity authenticated (null when refused), until when (epoch
     * ms: the token's expiry with the clock skew, or the certificate's notAfter), how
     * ({@link #SAS} or {@link #SELF_SIGNED}), the status with its description, and the gateway that
     * authenticated it through an auth chain (null for a direct authentication).
     */
    record Answer(IdentityId identity, long until, String method, int status, String description, String actor) {
        static Answer refused(int status, String description) {
            return new Answer(null, 0, null, status, description, null);
        }
    }

    /** @param certificate the client certificate of the connection's TLS handshake, or null */
    static Answer handle(Message request, Authenticator authenticator, X509Certificate certificate) {
        Map<?, ?> props = request.getApplicationProperties() == null ? Map.of()
                : request.getApplicationProperties().getValue();
        Object operation = props.get("operation");
        if (!"put-token".equals(operation)) {
            return Answer.refused(400, "unsupported operation " + operation + " (only put-token)");
        }
        Object type = props.get("type");
        boolean x509 = X509_TYPE.equals(type);
        if (!x509 && (!(type instanceof String t) || !TOKEN_TYPES.contains(t))) {
            return Answer.refused(400, "unsupported token type " + type + " (expected one of " + TOKEN_TYPES
                    + " or " + X509_TYPE + ")");
        }
        Object name = props.get("name");
        Object body = request.getBody() instanceof AmqpValue v ? v.getValue() : null;
        String token = null;
        IdentityId claimed;
        if (x509) {
            if (request.getBody() != null && !(body == null || "".equals(body))) {
                return Answer.refused(400, "a " + X509_TYPE + " put-token carries no token: the body must be absent "
                        + "or an empty string");
            }
            claimed = name instanceof String n ? Audiences.identity(n) : null;
        } else {
            if (!(body instanceof String t) || t.isEmpty()) {
                return Answer.refused(400, "the body must be the SAS token as an AMQP string value");
            }
            token = t;
            claimed = name instanceof String n ? Audiences.claimed(n, token) : null;
        }
        if (claimed == null) {
            return Answer.refused(400, "name " + name + " is not the audience {host}/devices/{d}[/modules/{m}]");
        }
        List<String> chain = null;
        Object chainProperty = props.get(AUTH_CHAIN);
        if (chainProperty != null) {
            if (!(chainProperty instanceof String c)) {
                return Answer.refused(400, AUTH_CHAIN + " must be a string, was " + chainProperty.getClass().getSimpleName());
            }
            try {
                chain = AuthChains.parse(c);
            } catch (IllegalArgumentException e) {
                return Answer.refused(400, e.getMessage());
            }
        }
        String via = chain == null ? "" : " (auth chain " + String.join(";", chain) + ")";
        if (x509 && certificate == null) {
            return Answer.refused(401, claimed + via + ": no client certificate on this connection");
        }
        if (authenticator == null) {
            return Answer.refused(503, "no authenticator available right now");
        }
        AuthenticationResult result;
        try {
            if (x509) {
                result = authenticator.authenticateCertificate(claimed, certificate, chain == null ? List.of() : chain);
            } else {
                result = chain == null ? authenticator.authenticateSas(claimed, token)
                        : authenticator.authenticateSas(claimed, token, chain);
            }
        } catch (RuntimeException | AbstractMethodError e) {
            // AbstractMethodError: an authenticator built against an API without auth chains
            return Answer.refused(500, "the authenticator failed" + via + ": " + e);
        }
        if (!result.succeeded()) {
            return Answer.refused(401, claimed + via + " failed authentication" + (x509 ? " by its client certificate" : "")
                    + ": " + result.failureReason());
        }
        return x509
                ? new Answer(result.identity(), certificate.getNotAfter().getTime(), SELF_SIGNED, 200, "OK", AuthChains.actor(chain))
                : new Answer(result.identity(), SasTokens.validUntilMillis(token), SAS, 200, "OK", AuthChains.actor(chain));
    }

    /** The reply to {@code request}: correlated by its message id, status in application properties. */
    static Message reply(Message request, Answer answer) {
        Message reply = Message.Factory.create();
        Properties p = new Properties();
        if (request.getProperties() != null) {
            p.setCorrelationId(request.getProperties().getMessageId());
            p.setTo(request.getProperties().getReplyTo());
        }
        reply.setProperties(p);
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("status-code", answer.status());
        status.put("status-description", answer.description());
        reply.setApplicationProperties(new ApplicationProperties(status));
        return reply;
    }
}
