package io.gatehouse.broker.internal;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttSubscribePayload;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Carries one client's user-topic traffic to the general broker over a loopback MQTT
 * connection of its own, opened on first use and run on the client's event loop. Packet ids of
 * publishes from the broker are renumbered into the client's id space, which this hub shares
 * with module-input deliveries.
 */
final class UserTopicRelay {

    /** A broker publish in flight to the client, under the broker's own packet id. */
    record Relayed(UserTopicRelay relay, int backendPacketId) {
    }

    private record PendingSubAck(int[] codes, List<Integer> userIndexes) {
    }

    private final MqttConnection client;
    private final UserTopicBroker broker;
    private final ArrayDeque<MqttMessage> beforeConnAck = new ArrayDeque<>();
    private final Map<Integer, PendingSubAck> pendingSubAcks = new HashMap<>();
    private Channel backend;
    private boolean connected;
    private boolean closed;

    UserTopicRelay(MqttConnection client, UserTopicBroker broker, int maxMessageBytes, boolean cleanSession,
            MqttConnectMessage clientConnect) {
        this.client = client;
        this.broker = broker;
        MqttMessageBuilders.ConnectBuilder connect = MqttMessageBuilders.connect()
                .clientId(client.identity().toString())
                .cleanSession(cleanSession)
                .keepAlive(0)
                .username(UserTopicBroker.USERNAME)
                .password(broker.secret());
        if (clientConnect != null && clientConnect.variableHeader().isWillFlag()
                && !IotHubTopics.isHubTopic(clientConnect.payload().willTopic())) {
            connect.willFlag(true)
                    .willTopic(clientConnect.payload().willTopic())
                    .willMessage(clientConnect.payload().willMessageInBytes())
                    .willQoS(MqttQoS.valueOf(Math.min(clientConnect.variableHeader().willQos(), 1)))
                    .willRetain(clientConnect.variableHeader().isWillRetain());
        }
        MqttConnectMessage hello = connect.build();
        new Bootstrap()
                .group(client.channel().eventLoop())
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new MqttDecoder(maxMessageBytes + 1024), MqttEncoder.INSTANCE,
                                new FromBroker());
                    }
                })
                .connect("127.0.0.1", broker.port())
                .addListener((ChannelFutureListener) f -> {
                    if (!f.isSuccess()) {
                        client.closeBecause("general broker unreachable: " + f.cause());
                        return;
                    }
                    backend = f.channel();
                    if (closed) {
                        backend.close();
                        return;
                    }
                    backend.writeAndFlush(hello);
                });
    }

    /** Forwards a packet to the broker (owning one reference of it). */
    void send(MqttMessage message) {
        if (closed) {
            ReferenceCountUtil.release(message);
        } else if (connected) {
            backend.writeAndFlush(message);
        } else {
            beforeConnAck.add(message);
        }
    }

    /** Forwards the user-topic part of a SUBSCRIBE; the SUBACK merges the hub's own answers in. */
    void subscribe(int messageId, List<MqttTopicSubscription> userFilters, int[] codes, List<Integer> userIndexes) {
        pendingSubAcks.put(messageId, new PendingSubAck(codes, userIndexes));
        send(new MqttSubscribeMessage(
                new MqttFixedHeader(MqttMessageType.SUBSCRIBE, false, MqttQoS.AT_LEAST_ONCE, false, 0),
                MqttMessageIdVariableHeader.from(messageId), new MqttSubscribePayload(userFilters)));
    }

    void clientAcknowledged(int backendPacketId) {
        send(MqttMessageBuilders.pubAck().packetId(backendPacketId).build());
    }

    /** Ends the relay: a graceful DISCONNECT discards the client's will, an abrupt close fires it. */
    void close(boolean graceful) {
        if (closed) return;
        closed = true;
        beforeConnAck.forEach(ReferenceCountUtil::release);
        beforeConnAck.clear();
        if (backend == null) return;
        if (graceful && connected) {
            backend.writeAndFlush(new MqttMessage(
                    new MqttFixedHeader(MqttMessageType.DISCONNECT, false, MqttQoS.AT_MOST_ONCE, false, 0)))
                    .addListener(ChannelFutureListener.CLOSE);
        } else {
            backend.close();
        }
    }

    /**
     * Moquette 0.17 marks a connection as connected in a listener of its CONNACK write that can run
     * after the client's next packet has been read, and then drops that packet's connection ("SUBSCRIBE
     * received on already closed connection"). So the relay sends nothing until Moquette lists the
     * client as connected.
     */
    private void whenSessionReady(int attempt) {
        if (closed) return;
        if (broker.hasConnected(client.identity().toString())) {
            connected = true;
            MqttMessage m;
            while ((m = beforeConnAck.poll()) != null) backend.write(m);
            backend.flush();
        } else if (attempt < 2000) {
            backend.eventLoop().schedule(() -> whenSessionReady(attempt + 1), 1, TimeUnit.MILLISECONDS);
        } else {
            client.closeBecause("general broker did not complete the relay's connection");
        }
    }

    private final class FromBroker extends SimpleChannelInboundHandler<MqttMessage> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, MqttMessage msg) {
            if (msg.decoderResult().isFailure()) {
                client.closeBecause("general broker sent a malformed packet");
                return;
            }
            Channel out = client.channel();
            switch (msg.fixedHeader().messageType()) {
                case CONNACK -> {
                    MqttConnectReturnCode code = ((MqttConnAckMessage) msg).variableHeader().connectReturnCode();
                    if (code != MqttConnectReturnCode.CONNECTION_ACCEPTED) {
                        client.closeBecause("general broker refused the relay: " + code);
                        return;
                    }
                    whenSessionReady(0);
                }
                case PUBLISH -> {
                    MqttPublishMessage p = (MqttPublishMessage) msg;
                    MqttQoS qos = p.fixedHeader().qosLevel();
                    int id = 0;
                    if (qos != MqttQoS.AT_MOST_ONCE) {
                        id = client.packetIds().allocate(new Relayed(UserTopicRelay.this, p.variableHeader().packetId()));
                        if (id == 0) return; // the broker will resend it
                    }
                    MqttFixedHeader h = p.fixedHeader();
                    out.write(new MqttPublishMessage(
                            new MqttFixedHeader(MqttMessageType.PUBLISH, h.isDup(), qos, h.isRetain(), 0),
                            new MqttPublishVariableHeader(p.variableHeader().topicName(), id),
                            p.content().retain()));
                    client.scheduleFlush();
                }
                case SUBACK -> {
                    MqttSubAckMessage ack = (MqttSubAckMessage) msg;
                    int messageId = ack.variableHeader().messageId();
                    PendingSubAck pending = pendingSubAcks.remove(messageId);
                    if (pending == null) return;
                    List<Integer> granted = ack.payload().grantedQoSLevels();
                    for (int i = 0; i < pending.userIndexes().size() && i < granted.size(); i++) {
                        pending.codes()[pending.userIndexes().get(i)] = granted.get(i);
                    }
                    out.writeAndFlush(MqttConnection.subAck(messageId, pending.codes()));
                }
                case PUBACK, PUBREC, PUBCOMP, UNSUBACK -> out.writeAndFlush(ReferenceCountUtil.retain(msg));
                default -> {
                    // PINGRESP and the like stay between relay and broker
                }
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (!closed) client.closeBecause("general broker closed the relay connection");
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
