package io.gatehouse.amqp.internal;

import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.headsupport.twin.TwinRequestThread;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.messaging.Data;
import org.apache.qpid.proton.amqp.messaging.MessageAnnotations;
import org.apache.qpid.proton.amqp.messaging.Properties;
import org.apache.qpid.proton.engine.Delivery;
import org.apache.qpid.proton.engine.Link;
import org.apache.qpid.proton.engine.Receiver;
import org.apache.qpid.proton.engine.Sender;
import org.apache.qpid.proton.message.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The twin channels of one connection ({@code /devices/{d}[/modules/{m}]/twin}, a sender and a
 * receiver paired by {@link ChannelKey}), as IoT Hub and the Azure IoT SDK for Java 2.5.0 speak
 * them: the request's message annotation {@code operation} ({@code GET}, {@code PATCH} with
 * {@code resource=/properties/reported}, {@code PUT}/{@code DELETE} with
 * {@code resource=/notifications/twin/properties/desired} to subscribe to desired patches or stop)
 * and its correlation-id; the answer carries that correlation-id and the annotations
 * {@code status} (int) and {@code version} (long, after a patch). Desired patches go to the
 * subscribed channels without a correlation-id. All on the connection's event loop.
 */
final class TwinLinks {
    private static final Logger LOG = LoggerFactory.getLogger(TwinLinks.class);
    static final Symbol OPERATION = Symbol.valueOf("operation");
    static final Symbol RESOURCE = Symbol.valueOf("resource");
    static final Symbol STATUS = Symbol.valueOf("status");
    static final Symbol VERSION = Symbol.valueOf("version");
    static final String REPORTED = "/properties/reported";
    static final String DESIRED_NOTIFICATIONS = "/notifications/twin/properties/desired";
    static final String INVALID_FIELD = "amqp:invalid-field";

    private final AmqpConnection connection;
    private final HeadContext hub;
    private final Map<ChannelKey, Channel> channels = new HashMap<>();

    /** The two links of one channel, and whether it asked for desired patches. */
    private static final class Channel {
        OutboundLink out;
        RequestReceiver in;
        boolean subscribed;
    }

    TwinLinks(AmqpConnection connection, HeadContext hub) {
        this.connection = connection;
        this.hub = hub;
    }

    LinkHandler attach(Link link, IdentityId identity) {
        ChannelKey key = ChannelKey.of(link, identity);
        Channel channel = channels.computeIfAbsent(key, k -> new Channel());
        if (link instanceof Sender sender) {
            OutboundLink out = new OutboundLink(sender, identity, () -> {
                if (channel.out != null && !channel.out.isOpen()) channel.out = null;
                forgetIfUnused(key, channel);
            });
            channel.out = out;
            return out;
        }
        RequestReceiver in = new RequestReceiver((Receiver) link, identity, hub.maxMessageBytes()) {
            @Override
            void handle(Message request, Delivery delivery) {
                request(channel, this, identity, request, delivery);
            }

            @Override
            void onClosed() {
                if (channel.in == this) channel.in = null;
                forgetIfUnused(key, channel);
            }
        };
        channel.in = in;
        return in;
    }

    private void forgetIfUnused(ChannelKey key, Channel channel) {
        if (channel.in == null && channel.out == null) channels.remove(key, channel);
    }

    private void request(Channel channel, RequestReceiver in, IdentityId identity, Message request, Delivery delivery) {
        Object correlationId = request.getCorrelationId();
        if (correlationId == null) {
            // an answer without one would read as a desired patch to the SDK
            in.reject(delivery, INVALID_FIELD, "a twin request needs a correlation-id");
            return;
        }
        String operation = annotation(request, OPERATION);
        String resource = annotation(request, RESOURCE);
        byte[] body;
        try {
            body = AmqpMessages.bodyOf(request.getBody());
        } catch (AmqpMessages.InvalidMessageException e) {
            in.reject(delivery, TelemetryLink.DECODE_ERROR, e.getMessage());
            return;
        }
        TwinRequestThread.Kind kind = null;
        String problem = null;
        switch (operation == null ? "" : operation) {
            case "GET" -> kind = TwinRequestThread.Kind.GET;
            case "PATCH" -> {
                if (REPORTED.equals(resource)) kind = TwinRequestThread.Kind.PATCH_REPORTED;
                else problem = "PATCH takes resource " + REPORTED + ", not " + resource;
            }
            case "PUT", "DELETE" -> {
                if (DESIRED_NOTIFICATIONS.equals(resource)) {
                    channel.subscribed = operation.equals("PUT");
                    LOG.debug("{} {} desired property patches", identity, channel.subscribed ? "subscribed to" : "unsubscribed from");
                    in.accept(delivery);
                    answer(channel, correlationId, new TwinRequests.Answer(204, -1, new byte[0]));
                    return;
                }
                problem = operation + " takes resource " + DESIRED_NOTIFICATIONS + ", not " + resource;
            }
            default -> problem = "unknown twin operation " + operation + " (GET, PATCH, PUT or DELETE)";
        }
        if (kind == null) {
            LOG.warn("Refused a twin request of {} on {}: {}", identity, connection.peer(), problem);
            in.accept(delivery);
            answer(channel, correlationId, hub.twins().error(400, problem));
            return;
        }
        // settled once the store answered, right before the answer: the SDK wants its acknowledgement first
        hub.twins().submit(identity, kind, body, answer -> connection.execute(() -> {
            in.accept(delivery);
            answer(channel, correlationId, answer);
        }));
    }

    private static String annotation(Message m, Symbol key) {
        MessageAnnotations annotations = m.getMessageAnnotations();
        Object value = annotations == null || annotations.getValue() == null ? null : annotations.getValue().get(key);
        return value == null ? null : value.toString();
    }

    private void answer(Channel channel, Object correlationId, TwinRequests.Answer answer) {
        OutboundLink out = channel.out;
        if (out == null) {
            LOG.debug("A twin answer ({}) has no link to go on: the client attached no twin receiver", answer.status());
            return;
        }
        Map<Symbol, Object> annotations = new LinkedHashMap<>();
        annotations.put(STATUS, answer.status());
        if (answer.version() >= 0) annotations.put(VERSION, answer.version());
        out.send(message(correlationId, annotations, answer.body()), answer.body().length);
    }

    /** Sends a desired patch to every channel of {@code identity} that subscribed to them. */
    void pushDesired(IdentityId identity, String patchJson, long version) {
        byte[] body = patchJson.getBytes(StandardCharsets.UTF_8);
        for (Map.Entry<ChannelKey, Channel> e : List.copyOf(channels.entrySet())) {
            Channel channel = e.getValue();
            if (!e.getKey().identity().equals(identity) || !channel.subscribed || channel.out == null) continue;
            Map<Symbol, Object> annotations = new LinkedHashMap<>();
            annotations.put(VERSION, version);
            channel.out.send(message(null, annotations, body), body.length);
        }
    }

    private static Message message(Object correlationId, Map<Symbol, Object> annotations, byte[] body) {
        Message m = Message.Factory.create();
        if (correlationId != null) {
            Properties p = new Properties();
            p.setCorrelationId(correlationId);
            m.setProperties(p);
        }
        m.setMessageAnnotations(new MessageAnnotations(annotations));
        // Data, never AmqpValue: the SDK casts every received body to Data
        m.setBody(new Data(new Binary(body)));
        return m;
    }
}
