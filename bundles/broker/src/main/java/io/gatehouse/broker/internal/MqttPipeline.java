package io.gatehouse.broker.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/**
 * The handlers of one client connection. Plain and TLS connections share them (the TLS listener
 * puts its handler first), so a TLS client gets the same authentication, routing, module inputs
 * and user topics as a plain one.
 */
final class MqttPipeline {
    private final HubContext hub;
    private final int maxMessageBytes;

    MqttPipeline(HubContext hub, int maxMessageBytes) {
        this.hub = hub;
        this.maxMessageBytes = maxMessageBytes;
    }

    ChannelInitializer<SocketChannel> plain() {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                addMqttHandlers(ch);
            }
        };
    }

    void addMqttHandlers(Channel ch) {
        ch.pipeline()
                // a client must send CONNECT within 60 s; keep-alive replaces this after it
                .addLast(MqttConnection.IDLE_HANDLER, new IdleStateHandler(60, 0, 0, TimeUnit.SECONDS))
                .addLast("decoder", new MqttDecoder(maxMessageBytes))
                .addLast("encoder", MqttEncoder.INSTANCE)
                .addLast("hub", new MqttConnection(hub));
    }
}
