package io.gatehouse.headsupport.net;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The network threads of a head: one thread accepting connections ({@code <name>-accept}) and
 * the threads serving them ({@code <name>-…}), shared by all of the head's listeners.
 */
public final class HeadEventLoops {
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;

    /** @param ioThreads network threads; 0 (or less) means one per core */
    public HeadEventLoops(String threadName, int ioThreads) {
        boss = new NioEventLoopGroup(1, new DefaultThreadFactory(threadName + "-accept"));
        int threads = ioThreads > 0 ? ioThreads : Runtime.getRuntime().availableProcessors();
        workers = new NioEventLoopGroup(threads, new DefaultThreadFactory(threadName));
    }

    /** A bootstrap on these threads with the options every listener of a head has; clone it per listener. */
    public ServerBootstrap bootstrap() {
        return new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 128)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true);
    }

    /** Stops the threads, which closes every connection still open on them; returns once they are gone. */
    public void shutdown() {
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
