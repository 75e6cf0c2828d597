package io.gatehouse.upstream.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.apache.qpid.proton.Proton;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.messaging.Accepted;
import org.apache.qpid.proton.amqp.messaging.AmqpValue;
import org.apache.qpid.proton.amqp.messaging.ApplicationProperties;
import org.apache.qpid.proton.amqp.messaging.Data;
import org.apache.qpid.proton.amqp.messaging.MessageAnnotations;
import org.apache.qpid.proton.amqp.messaging.Properties;
import org.apache.qpid.proton.engine.Collector;
import org.apache.qpid.proton.engine.Connection;
import org.apache.qpid.proton.engine.Delivery;
import org.apache.qpid.proton.engine.EndpointState;
import org.apache.qpid.proton.engine.Event;
import org.apache.qpid.proton.engine.Link;
import org.apache.qpid.proton.engine.Receiver;
import org.apache.qpid.proton.engine.Sasl;
import org.apache.qpid.proton.engine.SaslListener;
import org.apache.qpid.proton.engine.Sender;
import org.apache.qpid.proton.engine.Transport;
import org.apache.qpid.proton.message.Message;

/**
 * The parent's side of the AMQP protocol on a Proton-J engine over a loopback server socket (one
 * thread per connection): SASL ANONYMOUS or EXTERNAL (recording the mechanism; over TLS a client
 * certificate is asked for, optionally, and recorded), CBS (recording the auth-chain and the token
 * type; a {@code gatehouse:x509} token on a connection without client certificate is refused), telemetry (decoding
 * batches), twin GET/PATCH/PUT, the scope node, method calls and cloud-to-device messages it sends.
 * It can be stopped (every socket closed) and started again on the same port.
 */
final class AmqpParent implements AutoCloseable {
    record Token(String name, String authChain, int status) {
    }

    /** A put-token as it came: type, name, auth-chain and body. */
    record TokenRequest(String type, String name, String authChain, Object body) {
    }

    /** A telemetry message, the identity of its link, and how it came: alone (format 0) or in a batch of n. */
    record Telemetry(String identity, Message message, int format, int batchSize) {
        String messageId() {
            return String.valueOf(message.getMessageId());
        }
    }

    record Request(String address, Message message) {
    }

    final int port;
    final List<Token> tokens = new CopyOnWriteArrayList<>();
    final List<TokenRequest> tokenRequests = new CopyOnWriteArrayList<>();
    /** The SASL mechanism each connection chose. */
    final List<String> saslMechanisms = new CopyOnWriteArrayList<>();
    /** The client certificate each TLS connection presented (the first of its chain). */
    final List<java.security.cert.X509Certificate> peerCertificates = new CopyOnWriteArrayList<>();
    final List<Telemetry> telemetry = new CopyOnWriteArrayList<>();
    final List<Request> twinRequests = new CopyOnWriteArrayList<>();
    final List<Message> methodAnswers = new CopyOnWriteArrayList<>();
    final List<String> cloudToDeviceOutcomes = new CopyOnWriteArrayList<>();
    final List<String> containers = new CopyOnWriteArrayList<>();
    /** Every link the child attached: address → its properties. */
    final Map<String, Map<Symbol, Object>> links = new java.util.concurrent.ConcurrentHashMap<>();
    final AtomicInteger scopeRequests = new AtomicInteger();
    volatile String scopeBody = "{\"identities\":[]}";
    volatile int scopeStatus = 200;
    volatile String twin = "{\"desired\":{\"$version\":1},\"reported\":{\"$version\":1}}";
    final Map<String, String> twins = new java.util.concurrent.ConcurrentHashMap<>();
    volatile Predicate<String> refusedAudience = name -> false;
    /** Outcomes for the next telemetry transfers, instead of Accepted; such a transfer is not recorded. */
    final Queue<org.apache.qpid.proton.amqp.transport.DeliveryState> nextTelemetryOutcomes = new ConcurrentLinkedQueue<>();
    final List<String> refusedTransfers = new CopyOnWriteArrayList<>();
    private final AtomicLong tags = new AtomicLong();
    private final List<Peer> peers = new CopyOnWriteArrayList<>();
    private volatile ServerSocket server;
    private final javax.net.ssl.SSLContext tls;

    AmqpParent() throws IOException {
        this(null);
    }

    /** @param tls null for plain AMQP */
    AmqpParent(javax.net.ssl.SSLContext tls) throws IOException {
        this.tls = tls;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        start();
    }

    synchronized void start() throws IOException {
        ServerSocket s = tls == null ? new ServerSocket() : tls.getServerSocketFactory().createServerSocket();
        if (s instanceof javax.net.ssl.SSLServerSocket ssl) ssl.setWantClientAuth(true);
        s.setReuseAddress(true);
        s.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        server = s;
        Thread acceptor = new Thread(() -> {
            while (!s.isClosed()) {
                try {
                    Peer p = new Peer(s.accept());
                    peers.add(p);
                    Thread t = new Thread(p::run, "amqp-parent-peer");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        }, "amqp-parent-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Like a parent that goes away: the port closes and every connection drops. */
    synchronized void stop() throws IOException {
        if (server != null) server.close();
        for (Peer p : peers) p.socket.close();
        peers.clear();
    }

    @Override
    public void close() throws IOException {
        stop();
    }

    /** Calls a method on {@code identity} ({@code d} or {@code d/m}); the answer lands in {@link #methodAnswers}. */
    void callMethod(String identity, String name, UUID correlation, String payload) {
        Message m = Message.Factory.create();
        Properties p = new Properties();
        p.setMessageId(UUID.randomUUID());
        p.setCorrelationId(correlation);
        m.setProperties(p);
        m.setApplicationProperties(new ApplicationProperties(new HashMap<>(Map.of("IoThub-methodname", name))));
        m.setBody(new Data(new Binary(payload.getBytes(StandardCharsets.UTF_8))));
        sendTo(address(identity) + "/methods/devicebound", m);
    }

    void cloudToDevice(String leaf, Message m) {
        sendTo("/devices/" + leaf + "/messages/deviceBound", m);
    }

    void desiredPatch(String identity, long version, String patch) {
        Message m = Message.Factory.create();
        m.setMessageAnnotations(new MessageAnnotations(new HashMap<>(Map.of(Symbol.valueOf("version"), version,
                Symbol.valueOf("resource"), "/properties/desired"))));
        m.setBody(new Data(new Binary(patch.getBytes(StandardCharsets.UTF_8))));
        sendTo(address(identity) + "/twin", m);
    }

    /** Whether some connection has a link the child receives on at {@code address} (and has not detached). */
    boolean hasReceiverAt(String address) {
        return peers.stream().anyMatch(p -> p.senders.containsKey(address));
    }

    List<Telemetry> telemetry(String identity) {
        return telemetry.stream().filter(t -> t.identity.equals(identity)).toList();
    }

    static String address(String identity) {
        int slash = identity.indexOf('/');
        return slash < 0 ? "/devices/" + identity : "/devices/" + identity.substring(0, slash) + "/modules/"
                + identity.substring(slash + 1);
    }

    /** {@code /devices/d[/modules/m]/…} → {@code d[/m]}. */
    static String identityOf(String address) {
        String[] parts = address.split("/");
        return parts.length > 4 && parts[3].equals("modules") ? parts[2] + "/" + parts[4] : parts[2];
    }

    private void sendTo(String address, Message m) {
        for (Peer p : peers) {
            if (p.senders.containsKey(address)) {
                p.tasks.add(() -> p.send(p.senders.get(address), m));
                return;
            }
        }
        throw new IllegalStateException("nobody receives at " + address);
    }

    private final class Peer {
        final Socket socket;
        final Transport transport = Proton.transport();
        final Connection connection = Proton.connection();
        final Collector collector = Proton.collector();
        final Map<String, Sender> senders = new java.util.concurrent.ConcurrentHashMap<>();
        final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
        volatile java.security.cert.X509Certificate clientCertificate;

        Peer(Socket socket) {
            this.socket = socket;
        }

        void run() {
            try (socket) {
                if (socket instanceof javax.net.ssl.SSLSocket ssl) {
                    ssl.setSoTimeout(5000);
                    ssl.startHandshake();
                    try {
                        java.security.cert.Certificate[] chain = ssl.getSession().getPeerCertificates();
                        clientCertificate = (java.security.cert.X509Certificate) chain[0];
                        peerCertificates.add(clientCertificate);
                    } catch (javax.net.ssl.SSLPeerUnverifiedException none) {
                        // a SAS client sends no certificate
                    }
                }
                socket.setSoTimeout(5);
                InputStream in = socket.getInputStream();
                OutputStream out = socket.getOutputStream();
                Sasl sasl = transport.sasl();
                sasl.server();
                sasl.setMechanisms("ANONYMOUS", "EXTERNAL");
                sasl.setListener(new SaslListener() {
                    @Override
                    public void onSaslInit(Sasl s, Transport t) {
                        saslMechanisms.add(s.getRemoteMechanisms()[0]);
                        s.done(Sasl.SaslOutcome.PN_SASL_OK);
                    }

                    @Override
                    public void onSaslMechanisms(Sasl s, Transport t) {
                    }

                    @Override
                    public void onSaslChallenge(Sasl s, Transport t) {
                    }

                    @Override
                    public void onSaslResponse(Sasl s, Transport t) {
                    }

                    @Override
                    public void onSaslOutcome(Sasl s, Transport t) {
                    }
                });
                connection.collect(collector);
                transport.bind(connection);
                byte[] buffer = new byte[64 * 1024];
                while (!socket.isClosed()) {
                    Runnable task;
                    while ((task = tasks.poll()) != null) task.run();
                    handleEvents();
                    while (transport.pending() > 0) {
                        ByteBuffer head = transport.head();
                        byte[] bytes = new byte[head.remaining()];
                        head.duplicate().get(bytes);
                        out.write(bytes);
                        transport.pop(bytes.length);
                    }
                    if (transport.pending() < 0) return;
                    int n;
                    try {
                        n = in.read(buffer);
                    } catch (SocketTimeoutException e) {
                        continue;
                    }
                    if (n < 0) return;
                    int offset = 0;
                    while (offset < n) {
                        int chunk = Math.min(transport.capacity(), n - offset);
                        if (chunk <= 0) return;
                        transport.tail().put(buffer, offset, chunk);
                        transport.process();
                        offset += chunk;
                    }
                }
            } catch (IOException | RuntimeException e) {
                // the parent went away or the child did
            }
        }

        private void handleEvents() {
            Event e;
            while ((e = collector.peek()) != null) {
                switch (e.getType()) {
                    case CONNECTION_REMOTE_OPEN -> {
                        containers.add(connection.getRemoteContainer());
                        connection.setContainer("parent");
                        connection.open();
                    }
                    case SESSION_REMOTE_OPEN -> e.getSession().open();
                    case LINK_REMOTE_OPEN -> opened(e.getLink());
                    case LINK_REMOTE_CLOSE, LINK_REMOTE_DETACH -> {
                        Link link = e.getLink();
                        if (link instanceof Sender s && s.getRemoteSource() != null) {
                            senders.remove(s.getRemoteSource().getAddress(), s);
                        }
                        link.close();
                    }
                    case SESSION_REMOTE_CLOSE -> e.getSession().close();
                    case CONNECTION_REMOTE_CLOSE -> connection.close();
                    case DELIVERY -> delivery(e.getDelivery());
                    default -> {
                    }
                }
                collector.pop();
            }
        }

        private void opened(Link link) {
            if (link.getLocalState() != EndpointState.UNINITIALIZED) return;
            link.setSource(link.getRemoteSource());
            link.setTarget(link.getRemoteTarget());
            if (link instanceof Receiver r) {
                String address = r.getRemoteTarget().getAddress();
                links.put("in:" + address, link.getRemoteProperties() == null ? Map.of() : link.getRemoteProperties());
                r.open();
                r.flow(100);
            } else {
                String address = link.getRemoteSource().getAddress();
                links.put("out:" + address, link.getRemoteProperties() == null ? Map.of() : link.getRemoteProperties());
                senders.put(address, (Sender) link);
                link.open();
            }
        }

        private void delivery(Delivery d) {
            if (d.getLink() instanceof Sender) {
                if (d.getRemoteState() != null) {
                    if (((Sender) d.getLink()).getRemoteSource().getAddress().endsWith("/messages/deviceBound")) {
                        cloudToDeviceOutcomes.add(d.getRemoteState().getClass().getSimpleName());
                    }
                    d.settle();
                }
                return;
            }
            if (!d.isReadable() || d.isPartial()) return;
            Receiver r = (Receiver) d.getLink();
            int format = d.getMessageFormat();
            byte[] bytes = AmqpLinks.read(r, d);
            String address = r.getRemoteTarget().getAddress();
            org.apache.qpid.proton.amqp.transport.DeliveryState outcome = address.endsWith("/messages/events")
                    ? nextTelemetryOutcomes.poll() : null;
            if (outcome != null) {
                refusedTransfers.add(outcome.getClass().getSimpleName() + " " + AmqpBatches.decode(bytes, format).size());
                d.disposition(outcome);
                d.settle();
                r.flow(1);
                return;
            }
            received(address, bytes, format);
            d.disposition(Accepted.getInstance());
            d.settle();
            r.flow(1);
        }

        private void received(String address, byte[] bytes, int format) {
            if (address.endsWith("/messages/events")) {
                List<Message> messages = AmqpBatches.decode(bytes, format);
                for (Message m : messages) telemetry.add(new Telemetry(identityOf(address), m, format, messages.size()));
                return;
            }
            Message m = AmqpLinks.decode(bytes);
            if (address.equals("$cbs")) {
                Map<?, ?> props = m.getApplicationProperties().getValue();
                String name = String.valueOf(props.get("name"));
                Object chain = props.get("auth-chain");
                String type = String.valueOf(props.get("type"));
                tokenRequests.add(new TokenRequest(type, name, chain == null ? null : chain.toString(),
                        m.getBody() instanceof AmqpValue v ? v.getValue() : m.getBody()));
                boolean refused = refusedAudience.test(name) || !(m.getBody() instanceof AmqpValue)
                        || (type.equals("gatehouse:x509") && clientCertificate == null);
                tokens.add(new Token(name, chain == null ? null : chain.toString(), refused ? 401 : 200));
                Map<String, Object> status = new LinkedHashMap<>();
                status.put("status-code", refused ? 401 : 200);
                status.put("status-description", refused ? "refused by the test parent" : "OK");
                reply(address, m.getMessageId(), status, null, null);
            } else if (address.equals("$gatehouse/scope")) {
                scopeRequests.incrementAndGet();
                reply(address, m.getMessageId(), Map.of("status-code", scopeStatus), null, scopeBody);
            } else if (address.endsWith("/twin")) {
                twinRequests.add(new Request(address, m));
                String operation = String.valueOf(m.getMessageAnnotations().getValue().get(Symbol.valueOf("operation")));
                Map<Symbol, Object> annotations = new HashMap<>();
                String body = null;
                switch (operation) {
                    case "GET" -> {
                        annotations.put(Symbol.valueOf("status"), 200);
                        body = twins.getOrDefault(identityOf(address), twin);
                    }
                    case "PATCH" -> {
                        annotations.put(Symbol.valueOf("status"), 204);
                        annotations.put(Symbol.valueOf("version"), 2L);
                    }
                    default -> annotations.put(Symbol.valueOf("status"), 204);
                }
                reply(address, m.getCorrelationId(), null, annotations, body);
            } else if (address.endsWith("/methods/devicebound")) {
                methodAnswers.add(m);
            }
        }

        private void reply(String address, Object correlation, Map<String, Object> application,
                Map<Symbol, Object> annotations, String body) {
            Message reply = Message.Factory.create();
            Properties p = new Properties();
            p.setCorrelationId(correlation);
            reply.setProperties(p);
            if (application != null) reply.setApplicationProperties(new ApplicationProperties(new HashMap<>(application)));
            if (annotations != null) reply.setMessageAnnotations(new MessageAnnotations(annotations));
            if (body != null) reply.setBody(new Data(new Binary(body.getBytes(StandardCharsets.UTF_8))));
            send(senders.get(address), reply);
        }

        void send(Sender sender, Message m) {
            byte[] bytes = AmqpLinks.encode(m);
            sender.delivery(Long.toString(tags.incrementAndGet()).getBytes(StandardCharsets.US_ASCII));
            sender.send(bytes, 0, bytes.length);
            sender.advance();
        }
    }
}
