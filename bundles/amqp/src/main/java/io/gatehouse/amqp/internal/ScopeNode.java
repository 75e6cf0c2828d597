package io.gatehouse.amqp.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.messaging.ApplicationProperties;
import org.apache.qpid.proton.amqp.messaging.Data;
import org.apache.qpid.proton.amqp.messaging.Properties;
import org.apache.qpid.proton.engine.Delivery;
import org.apache.qpid.proton.engine.Link;
import org.apache.qpid.proton.engine.Receiver;
import org.apache.qpid.proton.engine.Sender;
import org.apache.qpid.proton.message.Message;

/**
 * The node {@code $gatehouse/scope} of one connection (a Gatehouse extension): the client
 * attaches a sender and a receiver with that address, as for {@code $cbs}, sends
 * {@code operation=GET} with a message-id, and gets the answer correlated to it with
 * {@code status-code} and the MQTT head's JSON body.
 */
final class ScopeNode {
    static final String ADDRESS = "$gatehouse/scope";
    private static final int MAX_REQUEST_BYTES = 64 * 1024;

    private final AmqpConnection connection;
    private final HeadContext hub;
    private OutboundLink replies;

    ScopeNode(AmqpConnection connection, HeadContext hub) {
        this.connection = connection;
        this.hub = hub;
    }

    /** The handler of a link the client attached to the node. */
    LinkHandler attach(Link link) {
        if (link instanceof Sender sender) {
            OutboundLink out = new OutboundLink(sender, null, () -> { });
            replies = out;
            return out;
        }
        return new RequestReceiver((Receiver) link, null, MAX_REQUEST_BYTES) {
            @Override
            void handle(Message request, Delivery delivery) {
                accept(delivery);
                answer(request);
            }
        };
    }

    private void answer(Message request) {
        Map<?, ?> props = request.getApplicationProperties() == null || request.getApplicationProperties().getValue() == null
                ? Map.of() : request.getApplicationProperties().getValue();
        Object operation = props.get("operation");
        ScopeAnswers.Answer answer = "GET".equals(operation)
                // the registry is in memory: read here on the event loop, as the MQTT head does
                ? hub.scope().answer(hub.registry().get(), connection.directIdentities())
                : hub.scope().error(400, "unsupported operation " + operation + " (only GET)");
        OutboundLink out = replies;
        if (out == null || !out.isOpen()) return; // no reply link: the client cannot hear the answer
        Message reply = Message.Factory.create();
        Properties p = new Properties();
        if (request.getProperties() != null) {
            p.setCorrelationId(request.getProperties().getMessageId());
            p.setTo(request.getProperties().getReplyTo());
        }
        reply.setProperties(p);
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("status-code", answer.status());
        if (answer.reason() != null) status.put("status-description", answer.reason());
        reply.setApplicationProperties(new ApplicationProperties(status));
        reply.setBody(new Data(new Binary(answer.body())));
        out.send(reply, answer.body().length);
    }
}
