package io.gatehouse.amqp.internal;

import io.gatehouse.api.identity.AuthenticationResult;
import io.gatehouse.api.identity.Authenticator;
import io.gatehouse.api.identity.IdentityId;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.apache.qpid.proton.Proton;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.messaging.Accepted;
import org.apache.qpid.proton.amqp.messaging.Rejected;
import org.apache.qpid.proton.amqp.messaging.Source;
import org.apache.qpid.proton.amqp.messaging.Target;
import org.apache.qpid.proton.amqp.transport.ErrorCondition;
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
import org.apache.qpid.proton.engine.Session;
import org.apache.qpid.proton.engine.Transport;
import org.apache.qpid.proton.engine.TransportException;
import org.apache.qpid.proton.message.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection of the AMQP head: a Proton-J engine (transport, connection, collector)
 * driven by a Netty channel. Bytes read go into the transport's tail, the engine's events are
 * handled, and what the transport has to say is written out; all of it on the channel's event
 * loop, which is the only thread that ever touches this engine.
 *
 * <p>A connection carries the identities authenticated on it (SASL PLAIN, or one CBS put-token
 * each), each until its token expires. Every link's address names an identity, and the link is
 * accepted only while that identity is authenticated here. An AMQPS client may present a
 * certificate in its TLS handshake (the Azure IoT SDKs' X.509 devices do, and then skip SASL and
 * CBS altogether): a link of an identity not yet authenticated here then authenticates it by that
 * certificate, until the certificate's notAfter.
 */
final class AmqpConnection extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(AmqpConnection.class);
    static final String UNAUTHORIZED = "amqp:unauthorized-access";
    static final String NOT_FOUND = "amqp:not-found";
    static final String NOT_ALLOWED = "amqp:not-allowed";
    static final String LINK_STOLEN = "amqp:link:stolen";
    private static final Symbol MODEL_ID = Symbol.valueOf("com.microsoft:model-id");
    /** Frames up to this size; larger messages come in several (and may still be up to maxMessageBytes). */
    private static final int MAX_FRAME_SIZE = 256 * 1024;

    private final HeadContext hub;
    private final Transport transport = Proton.transport();
    private final Connection connection = Proton.connection();
    private final Collector collector = Proton.collector();
    private final long clockBase = System.nanoTime();
    private volatile Channel channel;
    private String peer = "unknown peer";
    private boolean processing;
    /** The client certificate of the TLS handshake (null: none, or plain AMQP); read once the handshake is done. */
    private X509Certificate clientCertificate;
    private boolean certificateRead;
    private boolean closeWhenWritten;
    private ScheduledFuture<?> tickTimer;
    private long tickDeadline;
    private ScheduledFuture<?> expiryTimer;
    /** Identities authenticated on this connection: until when, and through which gateway. */
    private final Map<IdentityId, Grant> authenticated = new HashMap<>();
    private final Set<LinkHandler> links = new LinkedHashSet<>();
    private Sender cbsSender;
    private long cbsTag;
    private final ScopeNode scope;
    private final TwinLinks twins;
    private final MethodLinks methods;

    AmqpConnection(HeadContext hub) {
        this.hub = hub;
        this.scope = new ScopeNode(this, hub);
        this.twins = new TwinLinks(this, hub);
        this.methods = new MethodLinks(this, hub);
    }

    String peer() {
        return peer;
    }

    // --- Netty side ----------------------------------------------------------------------

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        channel = ctx.channel();
        peer = String.valueOf(channel.remoteAddress());
        transport.setMaxFrameSize(MAX_FRAME_SIZE);
        // Proton-J advertises half of it as idle-time-out, and ends the connection after a whole one of silence
        transport.setIdleTimeout(hub.idleTimeoutMillis());
        Sasl sasl = transport.sasl();
        sasl.server();
        sasl.setMechanisms("PLAIN", "ANONYMOUS", "EXTERNAL");
        sasl.setListener(new SaslServer());
        // X.509 clients of the Azure IoT SDKs send the AMQP header right after TLS: their certificate authenticates them
        if (ctx.pipeline().get(SslHandler.class) != null) sasl.allowSkip(true);
        connection.setContainer(hub.containerId());
        connection.collect(collector);
        transport.bind(connection);
        process();
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        try {
            while (in.isReadable() && channel.isActive()) {
                int capacity = transport.capacity();
                if (capacity < 0) {
                    in.skipBytes(in.readableBytes()); // input after the engine closed its tail
                    break;
                }
                if (capacity == 0) {
                    process();
                    if (transport.capacity() == 0) break;
                    continue;
                }
                ByteBuffer tail = transport.tail();
                int n = Math.min(capacity, in.readableBytes());
                int limit = tail.limit();
                tail.limit(tail.position() + n);
                in.readBytes(tail);
                tail.limit(limit);
                try {
                    transport.process();
                } catch (TransportException e) {
                    malformed(e.getMessage());
                    return;
                }
                process();
            }
        } finally {
            in.release();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof SslHandshakeCompletionEvent done && done.isSuccess()) {
            X509Certificate certificate = clientCertificate();
            if (certificate != null) {
                LOG.debug("AMQPS client {} presented the certificate {} (valid until {})", peer,
                        certificate.getSubjectX500Principal().getName(), certificate.getNotAfter().toInstant());
            }
        }
        super.userEventTriggered(ctx, event);
    }

    /** The certificate the client presented in its TLS handshake, or null (plain AMQP, none sent, handshake not done). */
    X509Certificate clientCertificate() {
        if (certificateRead) return clientCertificate;
        SslHandler tls = channel == null ? null : channel.pipeline().get(SslHandler.class);
        if (tls == null) {
            certificateRead = true;
            return null;
        }
        if (!tls.handshakeFuture().isSuccess()) return null;
        certificateRead = true;
        try {
            Certificate[] chain = tls.engine().getSession().getPeerCertificates();
            clientCertificate = chain.length > 0 && chain[0] instanceof X509Certificate x509 ? x509 : null;
        } catch (SSLPeerUnverifiedException none) {
            clientCertificate = null;
        }
        return clientCertificate;
    }

    /** The peer broke the protocol: the engine says why in its close frame, the log says it too. */
    private void malformed(String reason) {
        LOG.warn("Closing AMQP connection from {} ({}): malformed input: {}", peer, identitiesForLog(), reason);
        closeWhenWritten = true;
        process();
        channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        for (LinkHandler h : List.copyOf(links)) h.closed();
        links.clear();
        for (IdentityId id : authenticated.keySet()) hub.connections().release(id, this);
        if (!authenticated.isEmpty()) LOG.info("AMQP connection of {} from {} ended", identitiesForLog(), peer);
        authenticated.clear();
        if (tickTimer != null) tickTimer.cancel(false);
        if (expiryTimer != null) expiryTimer.cancel(false);
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.warn("Closing AMQP connection from {} ({}): {}", peer, identitiesForLog(), cause.toString());
        ctx.close();
    }

    /** Whether the socket is still open (any thread). */
    boolean isActive() {
        Channel ch = channel;
        return ch != null && ch.isActive();
    }

    /** A desired patch for {@code identity}, sent to its subscribed twin links here (any thread). */
    void desiredChanged(IdentityId identity, String patchJson, long version) {
        execute(() -> {
            if (isAuthenticated(identity)) twins.pushDesired(identity, patchJson, version);
        });
    }

    /** Runs {@code task} on this connection's event loop, then lets the engine write what it caused. */
    void execute(Runnable task) {
        Channel ch = channel;
        if (ch == null) return;
        try {
            ch.eventLoop().execute(() -> {
                if (!ch.isActive()) return;
                task.run();
                process();
            });
        } catch (RejectedExecutionException stopped) {
            // the head is stopping and its event loops are gone, with this connection: an outcome
            // (say, the Accepted of a message already stored) can no longer be sent; the client sends
            // that message again on its next connection (at least once)
        }
    }

    ScheduledFuture<?> schedule(Runnable task, long delayMillis) {
        return channel.eventLoop().schedule(() -> {
            if (!channel.isActive()) return;
            task.run();
            process();
        }, delayMillis, TimeUnit.MILLISECONDS);
    }

    // --- the engine ----------------------------------------------------------------------

    /** Handles the engine's events, ticks its timers, and writes its output. */
    private void process() {
        if (processing || channel == null) return;
        processing = true;
        try {
            long deadline;
            do {
                Event event;
                while ((event = collector.peek()) != null) {
                    try {
                        dispatch(event);
                    } catch (RuntimeException e) {
                        LOG.error("AMQP connection from {}: failed handling {}", peer, event.getType(), e);
                    } finally {
                        collector.pop();
                    }
                }
                deadline = transport.tick(now());
                writeOutput();
            } while (collector.peek() != null);
            armTick(deadline);
        } finally {
            processing = false;
        }
    }

    private void writeOutput() {
        boolean wrote = false;
        boolean headClosed = false;
        while (channel.isActive()) {
            int pending;
            try {
                pending = transport.pending();
            } catch (TransportException e) {
                headClosed = true;
                break;
            }
            if (pending < 0) {
                headClosed = true;
                break;
            }
            if (pending == 0) break;
            ByteBuffer head = transport.head();
            int n = head.remaining();
            channel.write(Unpooled.copiedBuffer(head.duplicate()));
            transport.pop(n);
            wrote = true;
        }
        if (wrote) channel.flush();
        if ((headClosed || closeWhenWritten) && channel.isActive()) {
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Milliseconds on a monotonic clock, never 0 (Proton-J reads 0 as "no deadline"). */
    private long now() {
        return (System.nanoTime() - clockBase) / 1_000_000 + 1;
    }

    private void armTick(long deadline) {
        if (deadline <= 0 || !channel.isActive()) return;
        if (tickTimer != null && !tickTimer.isDone() && tickDeadline <= deadline) return;
        if (tickTimer != null) tickTimer.cancel(false);
        tickDeadline = deadline;
        tickTimer = channel.eventLoop().schedule(() -> {
            tickTimer = null;
            if (channel.isActive()) process();
        }, Math.max(deadline - now(), 1), TimeUnit.MILLISECONDS);
    }

    private void dispatch(Event event) {
        switch (event.getType()) {
            case CONNECTION_REMOTE_OPEN -> connection.open();
            case CONNECTION_REMOTE_CLOSE -> {
                if (connection.getRemoteCondition() != null && connection.getRemoteCondition().getCondition() != null) {
                    LOG.info("AMQP connection of {} from {} closed by the client: {}", identitiesForLog(), peer,
                            connection.getRemoteCondition());
                }
                connection.close();
            }
            case SESSION_REMOTE_OPEN -> {
                Session session = event.getSession();
                if (session.getLocalState() == EndpointState.UNINITIALIZED) session.open();
            }
            case SESSION_REMOTE_CLOSE -> {
                Session session = event.getSession();
                for (LinkHandler h : List.copyOf(links)) {
                    if (h.link().getSession() == session) forget(h);
                }
                session.close();
            }
            case LINK_REMOTE_OPEN -> attach(event.getLink());
            case LINK_REMOTE_CLOSE, LINK_REMOTE_DETACH -> detached(event.getLink());
            case LINK_FLOW -> {
                if (event.getLink().getContext() instanceof LinkHandler h) h.onFlow();
            }
            case DELIVERY -> {
                Delivery d = event.getDelivery();
                if (d.getLink().getContext() instanceof LinkHandler h) {
                    h.onDelivery(d);
                } else if (d.getLink() == cbsSender && d.remotelySettled()) {
                    d.settle();
                }
            }
            case TRANSPORT_ERROR -> {
                // the engine sets the connection's own condition when it gives up on an idle peer
                ErrorCondition why = connection.getCondition() != null && connection.getCondition().getCondition() != null
                        ? connection.getCondition() : transport.getCondition();
                LOG.warn("Closing AMQP connection from {} ({}): {} ({})", peer, identitiesForLog(),
                        why == null ? "transport error" : why.getDescription(), why == null ? "" : why.getCondition());
            }
            case TRANSPORT_CLOSED -> closeWhenWritten = true;
            default -> {
                // local state changes and the rest need nothing
            }
        }
    }

    // --- SASL ----------------------------------------------------------------------------

    private final class SaslServer implements SaslListener {
        @Override
        public void onSaslInit(Sasl sasl, Transport t) {
            String[] mechanisms = sasl.getRemoteMechanisms();
            String mechanism = mechanisms.length == 0 ? "" : mechanisms[0];
            byte[] response = new byte[Math.max(sasl.pending(), 0)];
            if (response.length > 0) sasl.recv(response, 0, response.length);
            switch (mechanism) {
                case "PLAIN" -> plain(sasl, response);
                // ANONYMOUS (and EXTERNAL, as in the reference) let the client authenticate over CBS
                case "ANONYMOUS", "EXTERNAL" -> sasl.done(Sasl.SaslOutcome.PN_SASL_OK);
                default -> refuse(sasl, "unsupported SASL mechanism " + mechanism);
            }
        }

        private void plain(Sasl sasl, byte[] response) {
            SaslPlainCredentials credentials;
            try {
                credentials = SaslPlainCredentials.parse(response);
            } catch (IllegalArgumentException e) {
                refuse(sasl, e.getMessage());
                return;
            }
            Authenticator authenticator = hub.authenticator().get();
            if (authenticator == null) {
                refuse(sasl, "user " + credentials.username() + ": no authenticator available right now");
                return;
            }
            AuthenticationResult result;
            try {
                result = authenticator.authenticateSas(credentials.identity(), credentials.token());
            } catch (RuntimeException e) {
                refuse(sasl, "user " + credentials.username() + ": the authenticator failed: " + e);
                return;
            }
            if (!result.succeeded()) {
                refuse(sasl, "user " + credentials.username() + " failed authentication: " + result.failureReason());
                return;
            }
            authenticated(result.identity(), SasTokens.validUntilMillis(credentials.token()), "SASL PLAIN", null,
                    CbsRequests.SAS);
            sasl.done(Sasl.SaslOutcome.PN_SASL_OK);
        }

        private void refuse(Sasl sasl, String reason) {
            LOG.warn("Refused AMQP connection from {}: {}", peer, reason);
            sasl.done(Sasl.SaslOutcome.PN_SASL_AUTH);
            closeWhenWritten = true;
        }

        @Override
        public void onSaslMechanisms(Sasl sasl, Transport t) {
        }

        @Override
        public void onSaslChallenge(Sasl sasl, Transport t) {
        }

        @Override
        public void onSaslResponse(Sasl sasl, Transport t) {
        }

        @Override
        public void onSaslOutcome(Sasl sasl, Transport t) {
        }
    }

    // --- identities ----------------------------------------------------------------------

    /**
     * An identity authenticated here until {@code until} (epoch ms), by {@code actor} through an
     * auth chain, or directly (null); {@code method} is the connectionAuthMethod of its messages.
     */
    private record Grant(long until, String actor, String method) {
        boolean byCertificate() {
            return CbsRequests.SELF_SIGNED.equals(method);
        }
    }

    private void authenticated(IdentityId identity, long until, String how, String actor, String method) {
        Grant before = authenticated.put(identity, new Grant(until, actor, method));
        if (before == null) {
            LOG.info("{} authenticated on the AMQP connection from {} ({}{})", identity, peer, how,
                    actor == null ? "" : ", on behalf of it by " + actor);
        } else {
            LOG.debug("{} renewed its authentication on the AMQP connection from {} ({})", identity, peer, how);
        }
        hub.connections().claim(identity, this);
        armExpiry();
    }

    private boolean isAuthenticated(IdentityId identity) {
        Grant grant = authenticated.get(identity);
        return grant != null && grant.until() > System.currentTimeMillis();
    }

    /** connectionAuthMethod of the messages {@code identity} sends here: {@code sas} or {@code selfSigned}. */
    String authMethodOf(IdentityId identity) {
        Grant grant = authenticated.get(identity);
        return grant == null ? CbsRequests.SAS : grant.method();
    }

    /**
     * Authenticates {@code identity} by the connection's client certificate, as a link of it
     * attaches: null when it now is, else why not (for the refusal). The authenticator works in
     * memory, so it is asked on the event loop, as for CBS.
     */
    private String authenticateByCertificate(IdentityId identity, X509Certificate certificate) {
        Authenticator authenticator = hub.authenticator().get();
        if (authenticator == null) {
            return identity + " is not authenticated on this connection (no authenticator available right now to check "
                    + "its client certificate)";
        }
        AuthenticationResult result;
        try {
            result = authenticator.authenticateCertificate(identity, certificate, List.of());
        } catch (RuntimeException | AbstractMethodError e) {
            return identity + " is not authenticated on this connection: the authenticator failed checking its client "
                    + "certificate: " + e;
        }
        if (!result.succeeded()) {
            return identity + " is not authenticated on this connection: its client certificate "
                    + certificate.getSubjectX500Principal().getName() + " was refused: " + result.failureReason();
        }
        authenticated(identity, certificate.getNotAfter().getTime(),
                "X.509 certificate " + certificate.getSubjectX500Principal().getName(), null, CbsRequests.SELF_SIGNED);
        return null;
    }

    /** The identities authenticated here by their own token or certificate, without an auth chain (in id order). */
    List<IdentityId> directIdentities() {
        long now = System.currentTimeMillis();
        return authenticated.entrySet().stream()
                .filter(e -> e.getValue().actor() == null && e.getValue().until() > now)
                .map(Map.Entry::getKey)
                .sorted(java.util.Comparator.comparing(IdentityId::toString))
                .toList();
    }

    /** Another connection authenticated {@code identity}: the newest wins (reference §6.4). Any thread. */
    void identityTakenOver(IdentityId identity) {
        execute(() -> {
            if (authenticated.remove(identity) == null) return;
            LOG.info("{} connected again elsewhere; its links on the AMQP connection from {} are closed", identity, peer);
            closeLinksOf(identity, LINK_STOLEN, identity + " opened a newer connection");
        });
    }

    private void armExpiry() {
        long earliest = authenticated.values().stream().mapToLong(Grant::until).min().orElse(Long.MAX_VALUE);
        if (expiryTimer != null) expiryTimer.cancel(false);
        expiryTimer = null;
        if (earliest == Long.MAX_VALUE) return;
        long delay = Math.max(earliest - System.currentTimeMillis(), 0);
        expiryTimer = schedule(this::expireTokens, delay);
    }

    private void expireTokens() {
        long now = System.currentTimeMillis();
        for (Map.Entry<IdentityId, Grant> e : List.copyOf(authenticated.entrySet())) {
            if (e.getValue().until() > now) continue;
            IdentityId identity = e.getKey();
            String credential = e.getValue().byCertificate() ? "client certificate" : "SAS token";
            authenticated.remove(identity);
            hub.connections().release(identity, this);
            LOG.warn("The {} of {} on the AMQP connection from {} expired without renewal; its links are closed",
                    credential, identity, peer);
            closeLinksOf(identity, UNAUTHORIZED, "the " + credential + " of " + identity + " expired");
        }
        armExpiry();
    }

    private void closeLinksOf(IdentityId identity, String condition, String description) {
        for (LinkHandler h : List.copyOf(links)) {
            if (identity.equals(h.identity())) closeLink(h, condition, description);
        }
    }

    private String identitiesForLog() {
        return authenticated.isEmpty() ? "no identity" : authenticated.keySet().toString();
    }

    // --- links ---------------------------------------------------------------------------

    private void attach(Link link) {
        if (link.getLocalState() != EndpointState.UNINITIALIZED) return;
        boolean weSend = link instanceof Sender;
        String address = weSend
                ? (link.getRemoteSource() instanceof Source s ? s.getAddress() : null)
                : (link.getRemoteTarget() instanceof Target t ? t.getAddress() : null);
        link.setSource(link.getRemoteSource());
        link.setTarget(link.getRemoteTarget());
        link.setSenderSettleMode(link.getRemoteSenderSettleMode());
        link.setReceiverSettleMode(link.getRemoteReceiverSettleMode());
        LinkAddress parsed = LinkAddress.parse(address);
        if (parsed == null) {
            refuse(link, NOT_FOUND, "no node at address " + address);
            return;
        }
        if (parsed.kind() == LinkAddress.Kind.CBS) {
            attachCbs(link);
            return;
        }
        if (parsed.kind() == LinkAddress.Kind.SCOPE) {
            // any client may ask; whether it gets the scope depends on who is authenticated when it asks
            opened(link, scope.attach(link));
            return;
        }
        IdentityId identity = parsed.identity();
        if (!isAuthenticated(identity)) {
            X509Certificate certificate = clientCertificate();
            String refusal = certificate == null ? identity + " is not authenticated on this connection"
                    : authenticateByCertificate(identity, certificate);
            if (refusal != null) {
                refuse(link, UNAUTHORIZED, refusal);
                return;
            }
        }
        LinkHandler handler = switch (parsed.kind()) {
            case EVENTS -> {
                if (!weSend) yield new TelemetryLink(this, (Receiver) link, identity, modelIdOf(link), hub);
                if (identity.isModule()) yield QueueSenderLink.moduleInputs(this, (Sender) link, identity, hub);
                refuse(link, NOT_ALLOWED, "a device gets no module inputs (cloud-to-device messages come on "
                        + "/devices/" + identity.deviceId() + "/messages/deviceBound)");
                yield null;
            }
            case DEVICE_BOUND -> {
                if (!weSend) {
                    refuse(link, NOT_ALLOWED, address + " only sends to the client");
                    yield null;
                }
                if (identity.isModule()) {
                    LOG.info("{} attached {}: nothing is sent on it, modules get no cloud-to-device messages", identity, address);
                    yield new IdleSenderLink(link, identity);
                }
                yield QueueSenderLink.cloudToDevice(this, (Sender) link, identity.deviceId(), hub);
            }
            case TWIN -> twins.attach(link, identity);
            case METHODS -> methods.attach(link, identity);
            case CBS, SCOPE -> null;
        };
        if (handler == null) return;
        if (handler instanceof TelemetryLink telemetry) telemetry.limitMessageSize();
        opened(link, handler);
        LOG.debug("{} attached {} ({})", identity, address, weSend ? "hub sends" : "hub receives");
    }

    private void opened(Link link, LinkHandler handler) {
        link.setContext(handler);
        links.add(handler);
        link.open();
        handler.opened();
    }

    private static String modelIdOf(Link link) {
        Map<Symbol, Object> properties = link.getRemoteProperties();
        Object modelId = properties == null ? null : properties.get(MODEL_ID);
        return modelId == null ? null : modelId.toString();
    }

    private void attachCbs(Link link) {
        if (link instanceof Sender sender) {
            cbsSender = sender;
            link.open();
            return;
        }
        Receiver receiver = (Receiver) link;
        CbsReceiverLink handler = new CbsReceiverLink(receiver);
        link.setContext(handler);
        links.add(handler);
        link.open();
        handler.opened();
    }

    /** Refuses an attach: the attach goes out without the terminus asked for, then a detach with the reason. */
    private void refuse(Link link, String condition, String description) {
        LOG.warn("Refused a link from {} ({}): {} ({})", peer, identitiesForLog(), description, condition);
        if (link instanceof Sender) {
            link.setSource(null);
        } else {
            link.setTarget(null);
        }
        link.setCondition(new ErrorCondition(Symbol.valueOf(condition), description));
        link.open();
        link.close();
    }

    /** Detaches a link of ours with a reason. */
    void closeLink(LinkHandler handler, String condition, String description) {
        forget(handler);
        Link link = handler.link();
        if (link.getLocalState() == EndpointState.CLOSED) return;
        LOG.warn("Detaching {} of {} on {}: {} ({})", addressOf(link), handler.identity(), peer, description, condition);
        link.setCondition(new ErrorCondition(Symbol.valueOf(condition), description));
        link.close();
    }

    private void detached(Link link) {
        if (link.getContext() instanceof LinkHandler h) forget(h);
        if (link == cbsSender) cbsSender = null;
        if (link.getLocalState() != EndpointState.CLOSED) link.close();
    }

    private void forget(LinkHandler handler) {
        if (links.remove(handler)) handler.closed();
        handler.link().setContext(null);
    }

    static String addressOf(Link link) {
        if (link instanceof Sender && link.getSource() instanceof Source s) return s.getAddress();
        if (link.getTarget() instanceof Target t) return t.getAddress();
        return "a link";
    }

    // --- CBS -----------------------------------------------------------------------------

    /** The receiving half of the CBS node: put-token requests, answered on the connection's CBS sender. */
    private final class CbsReceiverLink implements LinkHandler {
        private final Receiver receiver;

        CbsReceiverLink(Receiver receiver) {
            this.receiver = receiver;
        }

        @Override
        public IdentityId identity() {
            return null;
        }

        @Override
        public Link link() {
            return receiver;
        }

        @Override
        public void opened() {
            receiver.flow(10);
        }

        @Override
        public void onDelivery(Delivery delivery) {
            if (delivery != receiver.current() || delivery.isPartial()) return;
            int size = delivery.pending();
            if (size > 64 * 1024) {
                receiver.advance();
                Rejected rejected = new Rejected();
                rejected.setError(new ErrorCondition(Symbol.valueOf(TelemetryLink.MESSAGE_SIZE_EXCEEDED),
                        "a put-token request of " + size + " bytes"));
                delivery.disposition(rejected);
                delivery.settle();
                receiver.flow(1);
                return;
            }
            byte[] bytes = new byte[size];
            receiver.recv(bytes, 0, size);
            receiver.advance();
            Message request = Message.Factory.create();
            try {
                request.decode(bytes, 0, size);
            } catch (RuntimeException e) {
                Rejected rejected = new Rejected();
                rejected.setError(new ErrorCondition(Symbol.valueOf(TelemetryLink.DECODE_ERROR), "malformed CBS request"));
                delivery.disposition(rejected);
                delivery.settle();
                receiver.flow(1);
                LOG.warn("AMQP connection from {}: malformed CBS request: {}", peer, e.getMessage());
                return;
            }
            delivery.disposition(Accepted.getInstance());
            delivery.settle();
            receiver.flow(1);
            CbsRequests.Answer answer = CbsRequests.handle(request, hub.authenticator().get(), clientCertificate());
            if (answer.identity() != null) {
                authenticated(answer.identity(), answer.until(), answer.method().equals(CbsRequests.SELF_SIGNED)
                        ? "CBS put-token " + CbsRequests.X509_TYPE : "CBS put-token", answer.actor(), answer.method());
            } else {
                LOG.warn("CBS put-token from {} refused ({}): {}", peer, answer.status(), answer.description());
            }
            sendCbsReply(CbsRequests.reply(request, answer));
        }

        @Override
        public void closed() {
        }
    }

    private void sendCbsReply(Message reply) {
        Sender sender = cbsSender;
        if (sender == null || sender.getLocalState() != EndpointState.ACTIVE) {
            LOG.debug("No CBS reply link from {}: the answer is not sent", peer);
            return;
        }
        byte[] bytes = AmqpMessages.encode(reply, 0);
        sender.delivery(("cbs-" + cbsTag++).getBytes(StandardCharsets.US_ASCII));
        sender.send(bytes, 0, bytes.length);
        sender.advance();
    }

    // --- for tests -----------------------------------------------------------------------

    /** Identities authenticated here now (a copy), read on the event loop by tests. */
    Set<IdentityId> identities() {
        return Set.copyOf(authenticated.keySet());
    }

    List<String> linkAddresses() {
        List<String> out = new ArrayList<>();
        for (LinkHandler h : links) out.add(addressOf(h.link()));
        return out;
    }
}
