package io.gatehouse.amqp.internal;

import io.gatehouse.api.identity.IdentityId;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
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
 * The methods channels of one connection ({@code /devices/{d}[/modules/{m}]/methods/deviceBound},
 * a sender and a receiver paired by {@link ChannelKey}), as IoT Hub and the Azure IoT SDK for
 * Java 2.5.0 speak them: the hub sends a request with correlation-id (a UUID), the application
 * property {@code IoThub-methodname} and the JSON payload as Data; the client answers with the
 * same correlation-id, the application property {@code IoThub-status} (int) and its payload.
 * While both links of a channel are attached, its identity takes calls ({@link MethodCalls}).
 */
final class MethodLinks {
    static final String METHOD_NAME = "IoThub-methodname";
    static final String STATUS = "IoThub-status";

    private final AmqpConnection connection;
    private final HeadContext hub;
    private final Map<ChannelKey, Channel> channels = new HashMap<>();

    /** One channel: both links, and whether {@link MethodCalls} knows it as ready. */
    private final class Channel implements MethodCalls.Target {
        final ChannelKey key;
        volatile OutboundLink out;
        volatile RequestReceiver in;
        boolean announced;

        Channel(ChannelKey key) {
            this.key = key;
        }

        @Override
        public IdentityId identity() {
            return key.identity();
        }

        @Override
        public boolean isActive() {
            OutboundLink o = out;
            RequestReceiver i = in;
            return o != null && o.isOpen() && i != null && !i.isClosed() && connection.isActive();
        }

        @Override
        public boolean send(UUID correlationId, String methodName, byte[] payload) {
            if (!isActive()) return false;
            connection.execute(() -> {
                OutboundLink o = out;
                if (o == null || !o.send(request(correlationId, methodName, payload), payload.length)) {
                    hub.methods().gone(this);
                }
            });
            return true;
        }

        /** Tells the calls whether this channel can take them now. */
        void update() {
            boolean active = isActive();
            if (active && !announced) {
                announced = true;
                hub.methods().ready(this);
            } else if (!active && announced) {
                announced = false;
                hub.methods().gone(this);
            }
            if (out == null && in == null) channels.remove(key, this);
        }
    }

    MethodLinks(AmqpConnection connection, HeadContext hub) {
        this.connection = connection;
        this.hub = hub;
    }

    LinkHandler attach(Link link, IdentityId identity) {
        ChannelKey key = ChannelKey.of(link, identity);
        Channel channel = channels.computeIfAbsent(key, Channel::new);
        if (link instanceof Sender sender) {
            OutboundLink out = new OutboundLink(sender, identity, () -> {
                if (channel.out != null && !channel.out.isOpen()) channel.out = null;
                channel.update();
            });
            channel.out = out;
            // calls it releases go out through the event loop, after the link's attach
            channel.update();
            return out;
        }
        RequestReceiver in = new RequestReceiver((Receiver) link, identity, hub.maxMessageBytes()) {
            @Override
            void handle(Message response, Delivery delivery) {
                answered(channel, this, response, delivery);
            }

            @Override
            void onClosed() {
                if (channel.in == this) channel.in = null;
                channel.update();
            }
        };
        channel.in = in;
        channel.update();
        return in;
    }

    private void answered(Channel channel, RequestReceiver in, Message response, Delivery delivery) {
        Object correlationId = response.getCorrelationId();
        Map<?, ?> props = response.getApplicationProperties() == null || response.getApplicationProperties().getValue() == null
                ? Map.of() : response.getApplicationProperties().getValue();
        Integer status = status(props.get(STATUS));
        if (correlationId == null || status == null) {
            in.reject(delivery, TwinLinks.INVALID_FIELD, "a method response needs a correlation-id and the application "
                    + "property " + STATUS + " (int), had " + correlationId + " and " + props.get(STATUS));
            return;
        }
        byte[] body;
        try {
            body = AmqpMessages.bodyOf(response.getBody());
        } catch (AmqpMessages.InvalidMessageException e) {
            in.reject(delivery, TelemetryLink.DECODE_ERROR, e.getMessage());
            return;
        }
        in.accept(delivery);
        hub.methods().answered(channel, correlationId.toString(), status,
                body.length == 0 ? null : new String(body, StandardCharsets.UTF_8));
    }

    private static Integer status(Object value) {
        if (value instanceof Number n) return n.intValue();
        if (value instanceof String s) {
            try {
                return Integer.valueOf(s.trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    private static Message request(UUID correlationId, String methodName, byte[] payload) {
        Message m = Message.Factory.create();
        Properties p = new Properties();
        p.setCorrelationId(correlationId);
        m.setProperties(p);
        m.setApplicationProperties(new ApplicationProperties(Map.of(METHOD_NAME, methodName)));
        m.setBody(new Data(new Binary(payload)));
        return m;
    }
}
