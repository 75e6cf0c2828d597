package io.gatehouse.broker.internal;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The handlers of one client connection. Plain and TLS connections share them, so a TLS client
 * gets the same authentication, routing, module inputs and user topics as a plain one.
 */
final class MqttPipeline {
    static final String TLS_HANDLER = "tls";

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

    /**
     * TLS first, with the context current when the connection is accepted: a connection keeps the
     * certificates it was accepted with when they are replaced later.
     */
    ChannelInitializer<SocketChannel> tls(Supplier<SslContext> currentContext) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                SslContext context = currentContext.get();
                if (context == null) {
                    // the certificates went away between the accept and this
                    ch.close();
                    return;
                }
                ch.pipeline().addLast(TLS_HANDLER, context.newHandler(ch.alloc()));
                addMqttHandlers(ch);
            }
        };
    }

    private void addMqttHandlers(SocketChannel ch) {
        ch.pipeline()
                // a client must send CONNECT within 60 s; keep-alive replaces this after it
                .addLast(MqttConnection.IDLE_HANDLER, new IdleStateHandler(60, 0, 0, TimeUnit.SECONDS))
                .addLast("decoder", new MqttDecoder(maxMessageBytes))
                .addLast("encoder", MqttEncoder.INSTANCE)
                .addLast("hub", new MqttConnection(hub));
    }
}
