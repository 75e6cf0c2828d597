package io.gatehouse.broker.internal;

import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;
import io.moquette.broker.security.IAuthenticator;
import io.moquette.broker.security.IAuthorizatorPolicy;
import io.moquette.broker.subscriptions.Topic;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Collections;
import java.util.Properties;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The general MQTT broker for user topics: an embedded Moquette on a loopback port that only this
 * head's relays can use (a random secret per start). Clients never reach it directly; they are
 * authenticated by the head, and their client id is their identity.
 */
final class UserTopicBroker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UserTopicBroker.class);
    static final String USERNAME = "gatehouse-head";

    private final Server server = new Server();
    private final byte[] secret;
    private final int port;

    /**
     * @param avoid ports the head binds after this broker starts: a free port picked now must not be
     *        one of them (the kernel hands out any free one, the head's configured port included)
     */
    UserTopicBroker(int requestedPort, int maxMessageBytes, Set<Integer> avoid) throws IOException {
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        this.secret = Base64.getEncoder().encodeToString(random).getBytes(StandardCharsets.US_ASCII);
        this.port = requestedPort > 0 ? requestedPort : freeLoopbackPort(avoid);
        Properties p = new Properties();
        p.setProperty("host", "127.0.0.1");
        p.setProperty("port", Integer.toString(port));
        p.setProperty("websocket_port", "disabled");
        p.setProperty("allow_anonymous", "false");
        p.setProperty("persistence_enabled", "false");
        p.setProperty("telemetry_enabled", "false"); // Gatehouse never calls home
        p.setProperty("netty.mqtt.message_size", Integer.toString(maxMessageBytes + 1024));
        p.setProperty("session_queue_size", "4096");
        p.setProperty("immediate_buffer_flush", "true");
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        try {
            // Moquette looks up its resources through the context class loader
            Thread.currentThread().setContextClassLoader(Server.class.getClassLoader());
            server.startServer(new MemoryConfig(p), Collections.emptyList(), null, new HeadOnly(), new PermitAll());
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
        LOG.info("General broker for user topics listening on 127.0.0.1:{} (head connections only)", port);
    }

    int port() {
        return port;
    }

    /** Whether Moquette has finished connecting this client's session (it says so after CONNACK). */
    boolean hasConnected(String clientId) {
        return server.listConnectedClients().stream().anyMatch(c -> clientId.equals(c.getClientID()));
    }

    byte[] secret() {
        return secret.clone();
    }

    @Override
    public void close() {
        server.stopServer();
    }

    private static int freeLoopbackPort(Set<Integer> avoid) throws IOException {
        return firstNotIn(avoid, () -> {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                return s.getLocalPort();
            }
        });
    }

    /** The first port {@code candidates} offers that is not in {@code avoid}. */
    static int firstNotIn(Set<Integer> avoid, PortSource candidates) throws IOException {
        while (true) {
            int port = candidates.next();
            if (!avoid.contains(port)) return port;
        }
    }

    @FunctionalInterface
    interface PortSource {
        int next() throws IOException;
    }

    private final class HeadOnly implements IAuthenticator {
        @Override
        public boolean checkValid(String clientId, String username, byte[] password) {
            return USERNAME.equals(username) && password != null && MessageDigest.isEqual(secret, password);
        }
    }

    /** Every client here was authenticated by the head; the head keeps IoT Hub topics to itself. */
    private static final class PermitAll implements IAuthorizatorPolicy {
        @Override
        public boolean canWrite(Topic topic, String user, String client) {
            return true;
        }

        @Override
        public boolean canRead(Topic topic, String user, String client) {
            return true;
        }
    }
}
