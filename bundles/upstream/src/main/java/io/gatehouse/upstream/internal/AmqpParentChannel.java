package io.gatehouse.upstream.internal;

import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.message.Message;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.messaging.AmqpValue;
import org.apache.qpid.proton.amqp.messaging.ApplicationProperties;
import org.apache.qpid.proton.amqp.messaging.Data;
import org.apache.qpid.proton.amqp.messaging.MessageAnnotations;
import org.apache.qpid.proton.amqp.messaging.Properties;
import org.apache.qpid.proton.amqp.messaging.Section;
import org.apache.qpid.proton.engine.Receiver;
import org.apache.qpid.proton.engine.Sender;
import org.apache.qpid.proton.engine.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One identity on the shared AMQP connection: authenticated by its own CBS put-token (a SAS token
 * renewed at 80% of its validity, or with X.509 a {@code gatehouse:x509} put-token, never renewed),
 * with its own session and links: telemetry (batched), twin, methods, the scope node,
 * cloud-to-device, as its features ask. The parent detaching any of them, or the
 * connection ending, loses the whole channel; {@link #ensureConnected} attaches it all again.
 */
final class AmqpParentChannel implements ParentChannel {
    private static final Logger LOG = LoggerFactory.getLogger(AmqpParentChannel.class);
    static final String SCOPE_ADDRESS = "$gatehouse/scope";
    static final String METHOD_NAME = "IoThub-methodname";
    static final String METHOD_STATUS = "IoThub-status";
    private static final int CLOUD_TO_DEVICE_CREDIT = 10;

    private final IdentityId identity;
    private final boolean link;
    private final Set<Feature> features;
    private final AmqpTransport transport;
    private final Listener listener;
    private final long timeoutMillis;
    private volatile Attachment current;
    private volatile long connects;
    private volatile long lastUsedNanos = System.nanoTime();

    /**
     * @param link whether this is the gateway's own channel, which opens the shared connection
     *        (anyone else's needs it open)
     */
    AmqpParentChannel(IdentityId identity, boolean link, Set<Feature> features, AmqpTransport transport,
            Listener listener) {
        this.identity = identity;
        this.link = link;
        this.features = Set.copyOf(features);
        this.transport = transport;
        this.listener = listener;
        this.timeoutMillis = transport.settings().operationTimeout().toMillis();
    }

    /** {@code /devices/{d}[/modules/{m}]}, the base of the identity's link addresses. */
    static String base(IdentityId id) {
        return "/devices/" + id.deviceId() + (id.isModule() ? "/modules/" + id.moduleId() : "");
    }

    @Override
    public IdentityId identity() {
        return identity;
    }

    @Override
    public boolean isConnected() {
        Attachment a = current;
        return a != null && !a.ended && a.connection.isOpen();
    }

    @Override
    public long connects() {
        return connects;
    }

    @Override
    public long idleNanos() {
        return System.nanoTime() - lastUsedNanos;
    }

    @Override
    public synchronized void ensureConnected() throws UpstreamException {
        lastUsedNanos = System.nanoTime();
        if (isConnected()) return;
        Attachment old = current;
        current = null;
        if (old != null) old.close();
        AmqpTransport.Shared shared = link ? transport.connect() : transport.connected();
        Attachment a = new Attachment(shared);
        try {
            authenticate(a);
            attach(a);
            if (features.contains(Feature.TWIN)) subscribeDesired(a);
        } catch (UpstreamException e) {
            a.close();
            throw e;
        }
        current = a;
        connects++;
        scheduleRenewal(a);
    }

    private void authenticate(Attachment a) throws UpstreamException {
        UpstreamCredentials credentials = transport.credentials();
        String audience = credentials.audience(identity);
        String chain = credentials.authChainText(identity);
        UpstreamCredentials.CbsToken token = credentials.cbsToken(identity);
        String what = credentials.x509() ? "the certificate" : "the token";
        CompletableFuture<org.apache.qpid.proton.message.Message> reply =
                a.connection.call(() -> a.cbs.putToken(audience, token, chain));
        CbsClient.Result result = CbsClient.result(AmqpRequests.await(reply, timeoutMillis, what + " of " + identity));
        if (!result.authenticated()) {
            throw new UpstreamException("the parent refused " + what + " of " + identity + ": " + result.status() + " "
                    + result.description());
        }
    }

    private void attach(Attachment a) throws UpstreamException {
        a.connection.call(() -> {
            a.session = a.connection.session();
            if (features.contains(Feature.TWIN)) {
                a.twin = new AmqpLinkPair(a.session, "twin", base(identity) + "/twin", AmqpLinks.properties("twin"),
                        a::twinMessage, a::lost);
            }
            if (features.contains(Feature.METHODS)) {
                // the SDK's spelling; the parent takes any case
                a.methods = new AmqpLinkPair(a.session, "methods", base(identity) + "/methods/devicebound",
                        AmqpLinks.properties("methods"), a::methodCall, a::lost);
            }
            if (features.contains(Feature.SCOPE)) {
                a.scope = new AmqpLinkPair(a.session, "scope", SCOPE_ADDRESS, AmqpLinks.properties(null),
                        a::scopeAnswer, a::lost);
            }
            return null;
        });
        for (AmqpLinkPair pair : new AmqpLinkPair[] {a.twin, a.methods, a.scope}) {
            if (pair != null) AmqpRequests.awaitDone(pair.attached(), timeoutMillis, "attaching the links of " + identity);
        }
    }

    /** {@code PUT /notifications/twin/properties/desired}: the parent sends desired patches from now on. */
    private void subscribeDesired(Attachment a) throws UpstreamException {
        Requests.Response r = twinRequest(a, "PUT", "/notifications/twin/properties/desired", new byte[0],
                "the desired-properties subscription of " + identity);
        if (!r.success()) {
            throw new UpstreamException("the parent refused the desired-properties subscription of " + identity + ": "
                    + r.status() + " " + TwinClient.brief(r.text()));
        }
    }

    /** Only SAS tokens expire; a certificate's grant holds for as long as the certificate is valid. */
    private void scheduleRenewal(Attachment a) {
        if (transport.credentials().x509()) return;
        long delay = transport.credentials().tokenValidity().toMillis() * 8 / 10;
        try {
            a.renewal = transport.timer().schedule(() -> renew(a), delay, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // stopping
        }
    }

    /** A new put-token on the same connection before the current token expires. */
    private void renew(Attachment a) {
        if (a.ended) return;
        try {
            UpstreamCredentials credentials = transport.credentials();
            String audience = credentials.audience(identity);
            String chain = credentials.authChainText(identity);
            UpstreamCredentials.CbsToken token = credentials.cbsToken(identity);
            a.connection.call(() -> a.cbs.putToken(audience, token, chain)).whenComplete((reply, e) -> {
                if (e != null) {
                    LOG.debug("renewing the token of {}: {}", identity, e.getMessage());
                    return;
                }
                CbsClient.Result r = CbsClient.result(reply);
                if (r.authenticated()) {
                    LOG.debug("renewed the token of {}", identity);
                } else {
                    LOG.warn("the parent refused the renewed token of {}: {} {}", identity, r.status(), r.description());
                }
            });
        } catch (UpstreamException e) {
            LOG.debug("renewing the token of {}: {}", identity, e.getMessage());
        }
        if (!a.ended) scheduleRenewal(a);
    }

    private Attachment attached(Feature feature) throws UpstreamException {
        Attachment a = current;
        if (a == null || a.ended || !a.connection.isOpen()) {
            throw new UpstreamException("the channel of " + identity + " to the parent is down");
        }
        if (feature != null && !features.contains(feature)) {
            throw new UpstreamException("the channel of " + identity + " has no " + feature + " links");
        }
        lastUsedNanos = System.nanoTime();
        return a;
    }

    // --- telemetry -------------------------------------------------------------------------

    @Override
    public Ack send(Message message) throws UpstreamException {
        Attachment a = attached(null);
        byte[] encoded = AmqpLinks.encode(AmqpMessageMapping.telemetry(message));
        List<TelemetryBatcher.Batch> ready = new ArrayList<>(2);
        TelemetryBatcher.Batch batch;
        synchronized (a.batcher) {
            batch = a.batcher.add(encoded, ready);
        }
        for (TelemetryBatcher.Batch b : ready) transmit(a, b);
        return ack(batch.outcome);
    }

    @Override
    public void flush() {
        Attachment a = current;
        if (a == null) return;
        TelemetryBatcher.Batch b;
        synchronized (a.batcher) {
            b = a.batcher.drain();
        }
        if (b != null) transmit(a, b);
    }

    @Override
    public void discardUnsent() {
        Attachment a = current;
        if (a == null) return;
        TelemetryBatcher.Batch b;
        synchronized (a.batcher) {
            b = a.batcher.drain();
        }
        if (b != null) b.outcome.completeExceptionally(new UpstreamException("not sent: the delivery round failed"));
    }

    private void transmit(Attachment a, TelemetryBatcher.Batch batch) {
        CompletableFuture<Void> outcome = batch.outcome;
        a.inFlight.add(outcome);
        outcome.whenComplete((x, e) -> a.inFlight.remove(outcome));
        byte[] payload = batch.payload();
        int format = batch.messageFormat();
        boolean ran = a.connection.execute(() -> {
            if (a.ended) {
                outcome.completeExceptionally(new UpstreamException("the channel of " + identity + " is down"));
                return;
            }
            if (a.telemetry == null) {
                a.telemetry = AmqpLinks.sender(a.session, "telemetry", base(identity) + "/messages/events",
                        AmqpLinks.properties(null), new TelemetryOutcomes(a::lost));
            }
            AmqpLinks.send(a.telemetry, payload, format, outcome);
        });
        if (!ran) outcome.completeExceptionally(new UpstreamException("the AMQP connection to the parent is down"));
    }

    private static Ack ack(CompletableFuture<Void> outcome) {
        return new Ack() {
            @Override
            public boolean isDone() {
                return outcome.isDone();
            }

            @Override
            public void await(long timeoutMillis) throws UpstreamException {
                try {
                    outcome.get(timeoutMillis, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    throw new AckTimeoutException("the parent did not settle the batch within "
                            + Math.max(1, timeoutMillis / 1000) + " s");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new UpstreamException("interrupted");
                } catch (ExecutionException e) {
                    throw new UpstreamException(e.getCause().getMessage(), e.getCause());
                }
            }
        };
    }

    // --- twin and scope --------------------------------------------------------------------

    @Override
    public Requests.Response twinGet() throws UpstreamException {
        return twinRequest(attached(Feature.TWIN), "GET", null, new byte[0], "twin GET of " + identity);
    }

    @Override
    public Requests.Response patchReported(byte[] patch) throws UpstreamException {
        return twinRequest(attached(Feature.TWIN), "PATCH", "/properties/reported", patch,
                "reported patch of " + identity);
    }

    private Requests.Response twinRequest(Attachment a, String operation, String resource, byte[] body, String what)
            throws UpstreamException {
        UUID id = UUID.randomUUID();
        org.apache.qpid.proton.message.Message request = twinRequest(id, operation, resource, body);
        CompletableFuture<org.apache.qpid.proton.message.Message> answer = a.twinRequests.open(id);
        try {
            a.connection.call(() -> {
                a.twin.send(request);
                return null;
            });
            org.apache.qpid.proton.message.Message reply = AmqpRequests.await(answer, timeoutMillis, what);
            Map<Symbol, Object> annotations = annotations(reply);
            Object version = annotations.get(Symbol.valueOf("version"));
            return new Requests.Response(CbsClient.status(annotations.get(Symbol.valueOf("status"))),
                    version == null ? null : parseLong(version.toString()), bodyOf(reply));
        } finally {
            a.twinRequests.forget(id);
        }
    }

    /**
     * A twin request as the Java SDK 2.5.0 sends it: annotations {@code operation} (and
     * {@code resource}), message-id and correlation-id (UUIDs, the same here), the body as Data.
     */
    static org.apache.qpid.proton.message.Message twinRequest(UUID id, String operation, String resource, byte[] body) {
        org.apache.qpid.proton.message.Message m = org.apache.qpid.proton.message.Message.Factory.create();
        Properties p = new Properties();
        p.setMessageId(id);
        p.setCorrelationId(id);
        m.setProperties(p);
        Map<Symbol, Object> annotations = new LinkedHashMap<>();
        annotations.put(Symbol.valueOf("operation"), operation);
        if (resource != null) annotations.put(Symbol.valueOf("resource"), resource);
        m.setMessageAnnotations(new MessageAnnotations(annotations));
        m.setBody(new Data(new Binary(body)));
        return m;
    }

    @Override
    public Requests.Response scope() throws UpstreamException {
        Attachment a = attached(Feature.SCOPE);
        UUID id = UUID.randomUUID();
        org.apache.qpid.proton.message.Message request = org.apache.qpid.proton.message.Message.Factory.create();
        Properties p = new Properties();
        p.setMessageId(id);
        request.setProperties(p);
        request.setApplicationProperties(new ApplicationProperties(new LinkedHashMap<>(Map.of("operation", "GET"))));
        CompletableFuture<org.apache.qpid.proton.message.Message> answer = a.scopeRequests.open(id);
        try {
            a.connection.call(() -> {
                a.scope.send(request);
                return null;
            });
            org.apache.qpid.proton.message.Message reply = AmqpRequests.await(answer, timeoutMillis,
                    "device scope request");
            return new Requests.Response(CbsClient.result(reply).status(), null, bodyOf(reply));
        } finally {
            a.scopeRequests.forget(id);
        }
    }

    // --- cloud-to-device -------------------------------------------------------------------

    @Override
    public synchronized boolean receiveCloudToDevice() throws UpstreamException {
        Attachment a = attached(null);
        if (a.cloudToDevice != null) return true;
        CompletableFuture<Void> open = new CompletableFuture<>();
        String address = "/devices/" + identity.deviceId() + "/messages/deviceBound";
        a.connection.call(() -> {
            a.cloudToDevice = AmqpLinks.receiver(a.session, "c2d", address, AmqpLinks.properties(null),
                    new CloudToDeviceLink(identity.deviceId(), a.connection, transport.cloudToDevice(), open, a::lost),
                    CLOUD_TO_DEVICE_CREDIT);
            return null;
        });
        AmqpRequests.awaitDone(open, timeoutMillis, "attaching the cloud-to-device link of " + identity);
        return true;
    }

    @Override
    public synchronized void close() {
        Attachment a = current;
        current = null;
        if (a != null) a.close();
    }

    private static Map<Symbol, Object> annotations(org.apache.qpid.proton.message.Message m) {
        MessageAnnotations ma = m.getMessageAnnotations();
        return ma == null || ma.getValue() == null ? Map.of() : ma.getValue();
    }

    private static Object applicationProperty(org.apache.qpid.proton.message.Message m, String name) {
        ApplicationProperties ap = m.getApplicationProperties();
        return ap == null || ap.getValue() == null ? null : ap.getValue().get(name);
    }

    /** A Data body (or a binary or string value) as bytes; empty for none. */
    static byte[] bodyOf(org.apache.qpid.proton.message.Message m) {
        Section body = m.getBody();
        if (body instanceof Data d) return AmqpLinks.bytes(d.getValue());
        if (body instanceof AmqpValue v) {
            if (v.getValue() instanceof Binary b) return AmqpLinks.bytes(b);
            if (v.getValue() instanceof String s) return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        return new byte[0];
    }

    private static Long parseLong(String text) {
        try {
            return Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** One identity's session on one connection, and what is attached on it. */
    private final class Attachment {
        final AmqpUpstreamConnection connection;
        final CbsClient cbs;
        final Consumer<String> onClose = this::lost;
        final TelemetryBatcher batcher;
        final Set<CompletableFuture<Void>> inFlight = ConcurrentHashMap.newKeySet();
        final AmqpRequests twinRequests = new AmqpRequests();
        final AmqpRequests scopeRequests = new AmqpRequests();
        // set on the engine
        Session session;
        AmqpLinkPair twin;
        AmqpLinkPair methods;
        AmqpLinkPair scope;
        Sender telemetry;
        Receiver cloudToDevice;
        volatile ScheduledFuture<?> renewal;
        volatile boolean ended;

        Attachment(AmqpTransport.Shared shared) {
            this.connection = shared.connection();
            this.cbs = shared.cbs();
            UpstreamSettings s = transport.settings();
            this.batcher = new TelemetryBatcher(s.maxBatchSize(), s.maxBatchBytes());
            connection.onClose(onClose);
        }

        /** On the engine: a twin answer, else a desired-properties patch. */
        void twinMessage(org.apache.qpid.proton.message.Message m) {
            if (twinRequests.complete(m) || current != this) return;
            Object version = annotations(m).get(Symbol.valueOf("version"));
            listener.desiredPatch(AmqpParentChannel.this, version == null ? null : parseLong(version.toString()),
                    bodyOf(m));
        }

        void scopeAnswer(org.apache.qpid.proton.message.Message m) {
            scopeRequests.complete(m);
        }

        /** On the engine: the parent calls a method; the answer goes back with its correlation-id as it came. */
        void methodCall(org.apache.qpid.proton.message.Message m) {
            if (current != this) return;
            Object correlation = m.getCorrelationId();
            Object name = applicationProperty(m, METHOD_NAME);
            MethodCall.Answer answer = correlation == null ? null : (status, body) -> {
                if (ended) throw new UpstreamException("the methods link of " + identity + " is gone");
                org.apache.qpid.proton.message.Message reply = methodAnswer(correlation, status, body);
                connection.call(() -> {
                    methods.send(reply);
                    return null;
                });
            };
            listener.methodCall(AmqpParentChannel.this, new MethodCall(correlation == null ? null : correlation.toString(),
                    name == null ? null : name.toString(), bodyOf(m), answer));
        }

        /** Lost by the parent (a link detached) or with the connection; on the engine. */
        void lost(String reason) {
            end(reason, true);
        }

        /** Ended here: the session is closed, nobody is told. */
        void close() {
            if (!connection.execute(() -> end("closed here", false))) end("closed here", false);
            connection.removeCloseListener(onClose);
        }

        private void end(String reason, boolean notify) {
            if (ended) return;
            ended = true;
            UpstreamException failure = new UpstreamException(identity + ": " + reason);
            TelemetryBatcher.Batch open;
            synchronized (batcher) {
                open = batcher.drain();
            }
            if (open != null) open.outcome.completeExceptionally(failure);
            for (CompletableFuture<Void> f : List.copyOf(inFlight)) f.completeExceptionally(failure);
            twinRequests.failAll(reason);
            scopeRequests.failAll(reason);
            ScheduledFuture<?> r = renewal;
            if (r != null) r.cancel(false);
            if (connection.isOpen()) {
                for (AmqpLinkPair pair : new AmqpLinkPair[] {twin, methods, scope}) {
                    if (pair != null) pair.close();
                }
                if (session != null) session.close();
            }
            if (notify && current == this) listener.lost(AmqpParentChannel.this, reason);
        }
    }

    /** A method's answer: the call's correlation-id unchanged, {@code IoThub-status}, the payload as Data. */
    static org.apache.qpid.proton.message.Message methodAnswer(Object correlation, int status, byte[] body) {
        org.apache.qpid.proton.message.Message reply = org.apache.qpid.proton.message.Message.Factory.create();
        Properties p = new Properties();
        p.setCorrelationId(correlation);
        reply.setProperties(p);
        reply.setApplicationProperties(new ApplicationProperties(new LinkedHashMap<>(Map.of(METHOD_STATUS, status))));
        reply.setBody(new Data(new Binary(body == null ? new byte[0] : body)));
        return reply;
    }
}
