package io.gatehouse.amqp.internal;

import io.gatehouse.api.identity.AuthenticationResult;
import io.gatehouse.api.identity.Authenticator;
import io.gatehouse.api.identity.IdentityId;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.qpid.proton.amqp.messaging.AmqpValue;
import org.apache.qpid.proton.amqp.messaging.ApplicationProperties;
import org.apache.qpid.proton.amqp.messaging.Properties;
import org.apache.qpid.proton.message.Message;

/**
 * The claims-based security node {@code $cbs} (reference §5.6): a put-token request names an
 * audience and carries a SAS token; the answer says whether the identity is now authenticated
 * on the connection.
 */
final class CbsRequests {
    static final Set<String> TOKEN_TYPES = Set.of("azure-devices.net:sastoken", "servicebus.windows.net:sastoken");

    private CbsRequests() {
    }

    /**
     * The outcome of one request: the identity authenticated (null when refused), the token it
     * holds until renewed, and the status with its description.
     */
    record Answer(IdentityId identity, String token, int status, String description) {
    }

    static Answer handle(Message request, Authenticator authenticator) {
        Map<?, ?> props = request.getApplicationProperties() == null ? Map.of()
                : request.getApplicationProperties().getValue();
        Object operation = props.get("operation");
        if (!"put-token".equals(operation)) {
            return new Answer(null, null, 400, "unsupported operation " + operation + " (only put-token)");
        }
        Object type = props.get("type");
        if (!(type instanceof String t) || !TOKEN_TYPES.contains(t)) {
            return new Answer(null, null, 400, "unsupported token type " + type + " (expected one of " + TOKEN_TYPES + ")");
        }
        Object name = props.get("name");
        Object body = request.getBody() instanceof AmqpValue v ? v.getValue() : null;
        if (!(body instanceof String token) || token.isEmpty()) {
            return new Answer(null, null, 400, "the body must be the SAS token as an AMQP string value");
        }
        IdentityId claimed = name instanceof String n ? Audiences.claimed(n, token) : null;
        if (claimed == null) {
            return new Answer(null, null, 400, "name " + name + " is not the audience {host}/devices/{d}[/modules/{m}]");
        }
        if (authenticator == null) {
            return new Answer(null, null, 503, "no authenticator available right now");
        }
        AuthenticationResult result;
        try {
            result = authenticator.authenticateSas(claimed, token);
        } catch (RuntimeException e) {
            return new Answer(null, null, 500, "the authenticator failed: " + e);
        }
        if (!result.succeeded()) {
            return new Answer(null, null, 401, claimed + " failed authentication: " + result.failureReason());
        }
        return new Answer(result.identity(), token, 200, "OK");
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
