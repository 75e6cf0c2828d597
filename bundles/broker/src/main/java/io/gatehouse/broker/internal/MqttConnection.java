package io.gatehouse.broker.internal;

import io.gatehouse.api.identity.AuthenticationResult;
import io.gatehouse.api.identity.Authenticator;
import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.message.Message;
import io.gatehouse.api.message.SystemProperties;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttIdentifierRejectedException;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPubAckMessage;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttSubAckPayload;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.netty.handler.codec.mqtt.MqttUnacceptableProtocolVersionException;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import io.netty.handler.ssl.SslHandler;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection of the MQTT head. IoT Hub topics are served here: telemetry is routed
 * and stored before its PUBACK, module inputs and cloud-to-device messages are delivered from the
 * store, a child gateway's device-scope requests are answered. User topics go to the general
 * broker through a {@link UserTopicRelay}. Everything here runs on the channel's event loop.
 */
final class MqttConnection extends SimpleChannelInboundHandler<MqttMessage> {
    private static final Logger LOG = LoggerFactory.getLogger(MqttConnection.class);
    static final String IDLE_HANDLER = "idle";

    private final HubContext hub;
    private Channel channel;
    private IdentityId identity;
    /** The gateway holding this connection on behalf of {@code identity} (auth chain), or null when direct. */
    private String actor;
    /** connectionAuthMethod of its messages: {@code sas} or {@code selfSigned} (X.509 by thumbprint). */
    private String authMethod = "sas";
    private String telemetryTopic;
    private long enqueuedMillis;
    private String enqueuedTime;
    private boolean cleanSession;
    private boolean graceful;
    private final PacketIds packetIds = new PacketIds();
    /** Module inputs (a module) or cloud-to-device messages (a device), while subscribed. */
    private QueueDelivery delivery;
    /** The granted QoS of {@code $gatehouse/scope/res/#}, or null while not subscribed. */
    private MqttQoS scopeResponsesQos;
    private UserTopicRelay relay;
    private int pendingAcks;
    /** Batches of this connection handed to the ingest thread and not finished: later ones queue behind them. */
    private int batchesOnIngestThread;
    private List<Message> readBatch = new ArrayList<>();
    private final List<Integer> readBatchPacketIds = new ArrayList<>();
    private boolean flushScheduled;
    /** Read by the twin thread and by whoever reports desired changes. */
    private volatile boolean twinResponsesSubscribed;
    private volatile boolean desiredPatchesSubscribed;
    /** Read by whoever invokes a direct method. */
    private volatile boolean methodsSubscribed;

    MqttConnection(HubContext hub) {
        this.hub = hub;
    }

    IdentityId identity() {
        return identity;
    }

    Channel channel() {
        return channel;
    }

    PacketIds packetIds() {
        return packetIds;
    }

    boolean subscribedToTwinResponses() {
        return twinResponsesSubscribed;
    }

    boolean subscribedToDesiredPatches() {
        return desiredPatchesSubscribed;
    }

    boolean subscribedToMethods() {
        return methodsSubscribed;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        channel = ctx.channel();
        super.channelActive(ctx);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, MqttMessage msg) {
        if (msg.decoderResult().isFailure()) {
            onMalformed(msg.decoderResult().cause());
            return;
        }
        MqttMessageType type = msg.fixedHeader().messageType();
        if (identity == null && type != MqttMessageType.CONNECT) {
            closeBecause("sent " + type + " before CONNECT");
            return;
        }
        switch (type) {
            case CONNECT -> onConnect((MqttConnectMessage) msg);
            case PUBLISH -> onPublish((MqttPublishMessage) msg);
            case PUBACK -> onPubAck(((MqttMessageIdVariableHeader) msg.variableHeader()).messageId());
            case PUBREL -> relay().send(msg); // second step of a QoS 2 publish to a user topic
            case PUBREC, PUBCOMP -> closeBecause("sent " + type + " but this hub never sends QoS 2");
            case SUBSCRIBE -> onSubscribe((MqttSubscribeMessage) msg);
            case UNSUBSCRIBE -> onUnsubscribe((MqttUnsubscribeMessage) msg);
            case PINGREQ -> channel.writeAndFlush(new MqttMessage(
                    new MqttFixedHeader(MqttMessageType.PINGRESP, false, MqttQoS.AT_MOST_ONCE, false, 0)));
            case DISCONNECT -> {
                graceful = true;
                channel.close();
            }
            default -> closeBecause("sent unexpected " + type);
        }
    }

    private void onMalformed(Throwable cause) {
        if (identity == null && cause instanceof MqttUnacceptableProtocolVersionException) {
            refuse(MqttConnectReturnCode.CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION,
                    "unsupported MQTT protocol version (3.1.1 expected)");
        } else if (identity == null && cause instanceof MqttIdentifierRejectedException) {
            refuse(MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED, "invalid client id");
        } else {
            closeBecause("sent a malformed packet: " + cause.getMessage());
        }
    }

    // --- CONNECT -------------------------------------------------------------------------

    /** The certificate the client presented in its TLS handshake, or null (plain TCP, or none sent). */
    private X509Certificate clientCertificate() {
        SslHandler tls = channel.pipeline().get(SslHandler.class);
        if (tls == null) return null;
        try {
            Certificate[] chain = tls.engine().getSession().getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate x509 ? x509 : null;
        } catch (SSLPeerUnverifiedException none) {
            return null;
        }
    }

    private void onConnect(MqttConnectMessage connect) {
        if (identity != null) {
            closeBecause("sent a second CONNECT");
            return;
        }
        String clientId = connect.payload().clientIdentifier();
        if (clientId == null || clientId.isEmpty()) {
            refuse(MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED,
                    "empty client id; it must be the device id or {deviceId}/{moduleId}");
            return;
        }
        X509Certificate certificate = connect.variableHeader().hasPassword() ? null : clientCertificate();
        if (!connect.variableHeader().hasUserName() || (!connect.variableHeader().hasPassword() && certificate == null)) {
            refuse(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED, "client " + clientId
                    + " is anonymous: a username and a SAS token password (or an X.509 client certificate over TLS)"
                    + " are required");
            return;
        }
        UsernameParser.Username username;
        try {
            username = UsernameParser.parse(connect.payload().userName());
        } catch (IllegalArgumentException e) {
            refuse(MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD,
                    "client " + clientId + ": malformed username: " + e.getMessage());
            return;
        }
        IdentityId claimed = username.identity();
        if (!claimed.toString().equals(clientId)) {
            refuse(MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED,
                    "client id " + clientId + " does not match identity " + claimed + " in the username");
            return;
        }
        Authenticator authenticator = hub.authenticator().get();
        if (authenticator == null) {
            refuse(MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE,
                    "client " + clientId + ": no authenticator available right now");
            return;
        }
        String chain = username.onBehalfOf() ? " (auth chain " + String.join(";", username.authChain()) + ")" : "";
        AuthenticationResult result;
        try {
            if (certificate != null) {
                result = authenticator.authenticateCertificate(claimed, certificate,
                        username.onBehalfOf() ? username.authChain() : List.of());
            } else {
                String token = new String(connect.payload().passwordInBytes(), StandardCharsets.UTF_8);
                result = username.onBehalfOf()
                        ? authenticator.authenticateSas(claimed, token, username.authChain())
                        : authenticator.authenticateSas(claimed, token);
            }
        } catch (RuntimeException | AbstractMethodError e) {
            // AbstractMethodError: an authenticator built against an API without auth chains
            refuse(MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE,
                    "client " + clientId + chain + ": the authenticator failed: " + e);
            return;
        }
        if (!result.succeeded()) {
            refuse(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED,
                    "client " + clientId + chain + " failed authentication: " + result.failureReason());
            return;
        }
        identity = result.identity();
        actor = username.onBehalfOf() ? username.actor() : null;
        if (certificate != null) authMethod = "selfSigned";
        telemetryTopic = IotHubTopics.telemetryTopic(identity);
        cleanSession = connect.variableHeader().isCleanSession();
        int keepAlive = connect.variableHeader().keepAliveTimeSeconds();
        if (keepAlive > 0) {
            // MQTT 3.1.1 §3.1.2.10: one and a half keep-alive periods without a packet ends the connection
            channel.pipeline().replace(IDLE_HANDLER, IDLE_HANDLER, new IdleStateHandler(keepAlive * 3L / 2, 0, 0,
                    java.util.concurrent.TimeUnit.SECONDS));
        }
        hub.connections().register(identity, this);
        boolean resumeDelivery = false;
        if (cleanSession) {
            hub.persistentSubscriptions().remove(identity);
        } else {
            resumeDelivery = hub.persistentSubscriptions().contains(identity);
        }
        channel.writeAndFlush(MqttMessageBuilders.connAck()
                .returnCode(MqttConnectReturnCode.CONNECTION_ACCEPTED)
                .sessionPresent(!cleanSession && resumeDelivery)
                .build());
        String how = certificate != null ? " (X.509)" : "";
        if (actor != null) {
            LOG.info("{} connected on behalf of {} from {}{}{}", actor, identity, channel.remoteAddress(), chain, how);
        } else {
            LOG.info("{} connected from {}{}", identity, channel.remoteAddress(), how);
        }
        if (connect.variableHeader().isWillFlag() || !cleanSession) {
            // the general broker must know this client now: to keep its will, or its persistent session
            relay = new UserTopicRelay(this, hub.userTopics(), hub.maxMessageBytes(), cleanSession, connect);
        }
        if (resumeDelivery) startDelivery(MqttQoS.AT_LEAST_ONCE);
    }

    private void refuse(MqttConnectReturnCode code, String reason) {
        LOG.warn("Refused connection from {}: {} ({})", channel.remoteAddress(), reason, code);
        MqttConnAckMessage ack = MqttMessageBuilders.connAck().returnCode(code).sessionPresent(false).build();
        channel.writeAndFlush(ack).addListener(ChannelFutureListener.CLOSE);
    }

    // --- PUBLISH -------------------------------------------------------------------------

    private void onPublish(MqttPublishMessage publish) {
        String topic = publish.variableHeader().topicName();
        if (!IotHubTopics.isHubTopic(topic)) {
            relay().send(publish.retain());
            return;
        }
        MqttQoS qos = publish.fixedHeader().qosLevel();
        if (qos == MqttQoS.EXACTLY_ONCE) {
            closeBecause("published with QoS 2 to " + topic + "; IoT Hub topics take QoS 0 or 1");
            return;
        }
        if (TwinTopics.isTwinTopic(topic)) {
            onTwinRequest(publish, topic, qos);
            return;
        }
        if (MethodTopics.isMethodTopic(topic)) {
            onMethodResponse(publish, topic, qos);
            return;
        }
        if (ScopeTopics.isGatehouseTopic(topic)) {
            onScopeRequest(publish, topic, qos);
            return;
        }
        String bag = IotHubTopics.telemetryPropertyBag(topic, telemetryTopic);
        if (bag == null) {
            closeBecause("may not publish to " + topic + " (only to its own telemetry topic)");
            return;
        }
        Message message;
        try {
            message = toMessage(publish, bag);
        } catch (IllegalArgumentException e) {
            closeBecause("published a malformed property bag on " + topic + ": " + e.getMessage());
            return;
        }
        readBatch.add(message);
        if (qos == MqttQoS.AT_MOST_ONCE) {
            readBatchPacketIds.add(0);
            return;
        }
        readBatchPacketIds.add(publish.variableHeader().packetId());
        if (++pendingAcks >= hub.maxPendingAcks()) {
            // push back on a fast publisher: stop reading its socket until the store catches up
            channel.config().setAutoRead(false);
        }
    }

    /**
     * Twin requests are always about the connection's own identity, whatever the topic says; the
     * twin thread answers them and writes the PUBACK after the store call.
     */
    private void onTwinRequest(MqttPublishMessage publish, String topic, MqttQoS qos) {
        TwinTopics.Request request = TwinTopics.parse(topic);
        if (request == null) {
            closeBecause("may not publish to " + topic + " (twin requests are GET and PATCH/properties/reported)");
            return;
        }
        int packetId = qos == MqttQoS.AT_LEAST_ONCE ? publish.variableHeader().packetId() : 0;
        hub.twins().submit(this, identity, request, publish.content().toString(StandardCharsets.UTF_8), packetId);
    }

    /**
     * A direct method's answer: nothing is stored, so it is acknowledged at once (possibly before
     * the PUBACK of telemetry published just before it, which waits for the store).
     */
    private void onMethodResponse(MqttPublishMessage publish, String topic, MqttQoS qos) {
        MethodTopics.Response response = MethodTopics.parseResponse(topic);
        if (response == null) {
            closeBecause("may not publish to " + topic + " (method answers are $iothub/methods/res/{status}/?$rid={rid})");
            return;
        }
        hub.methods().answered(this, response, ByteBufUtil.getBytes(publish.content()));
        if (qos == MqttQoS.AT_LEAST_ONCE) {
            channel.writeAndFlush(MqttMessageBuilders.pubAck().packetId(publish.variableHeader().packetId()).build());
        }
    }

    /**
     * A child gateway asks for its device scope. The registry is read here on the event loop, as
     * authentication reads it; nothing is stored, so a QoS 1 request is acknowledged after the
     * answer (possibly before the PUBACK of telemetry published just before it).
     */
    private void onScopeRequest(MqttPublishMessage publish, String topic, MqttQoS qos) {
        String rid = ScopeTopics.requestRid(topic);
        if (rid == null) {
            closeBecause("may not publish to " + topic + " (Gatehouse serves $gatehouse/scope/GET/?$rid={rid})");
            return;
        }
        ScopeRequests.Answer answer = ScopeRequests.answer(hub.registry().get(), identity, actor);
        MqttQoS answerQos = scopeResponsesQos;
        if (answerQos != null) {
            int packetId = answerQos == MqttQoS.AT_LEAST_ONCE ? packetIds.allocate(answer) : 0;
            if (packetId == 0) answerQos = MqttQoS.AT_MOST_ONCE; // QoS 0, or every id in flight
            channel.write(MqttMessageBuilders.publish().topicName(ScopeTopics.response(answer.status(), rid))
                    .qos(answerQos).retained(false).messageId(packetId)
                    .payload(Unpooled.wrappedBuffer(answer.body())).build());
        }
        if (qos == MqttQoS.AT_LEAST_ONCE) {
            channel.write(MqttMessageBuilders.pubAck().packetId(publish.variableHeader().packetId()).build());
        }
        channel.flush();
    }

    /** The publishes of one read are stored together; their PUBACKs go out together. */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        submitReadBatch();
        ctx.fireChannelReadComplete();
    }

    /**
     * Stores the batch on this event loop when router and store are in service and nothing of this
     * connection waits on the ingest thread (a hand-off less, which is most of the latency at low
     * rates); whatever that cannot store goes to the ingest thread, which waits for services being
     * replaced. Either way a PUBACK follows the append, and the connection's order is kept.
     */
    private void submitReadBatch() {
        if (readBatch.isEmpty()) return;
        List<Message> messages = readBatch;
        int[] packetIds = readBatchPacketIds.stream().mapToInt(Integer::intValue).toArray();
        readBatch = new ArrayList<>();
        readBatchPacketIds.clear();
        int stored = batchesOnIngestThread == 0 ? hub.ingest().storeHere(messages) : 0;
        if (stored > 0) acknowledge(packetIds, stored);
        if (stored == messages.size()) return;
        int[] rest = Arrays.copyOfRange(packetIds, stored, packetIds.length);
        batchesOnIngestThread++;
        hub.ingest().submit(messages.subList(stored, messages.size()), new TelemetryIngest.Outcome() {
            @Override
            public void persisted(int count) {
                channel.eventLoop().execute(() -> {
                    batchesOnIngestThread--;
                    acknowledge(rest, count);
                });
            }

            @Override
            public void failed(int persistedCount, String reason) {
                channel.eventLoop().execute(() -> {
                    batchesOnIngestThread--;
                    acknowledge(rest, persistedCount);
                    closeBecause("message not stored (" + reason + "); not acknowledged");
                });
            }
        });
    }

    private Message toMessage(MqttPublishMessage publish, String bag) {
        Message.Builder b = Message.builder().body(ByteBufUtil.getBytes(publish.content()));
        PropertyBag.decode(bag, b);
        b.systemProperty(SystemProperties.CONNECTION_DEVICE_ID, identity.deviceId());
        b.systemProperty(SystemProperties.CONNECTION_MODULE_ID, identity.moduleId());
        if (!identity.isModule()) b.systemProperty(SystemProperties.OUTPUT_NAME, null);
        b.systemProperty(SystemProperties.CONNECTION_AUTH_METHOD, authMethod);
        b.systemProperty(SystemProperties.ENQUEUED_TIME, enqueuedTimeNow());
        return b.build();
    }

    /** ISO-8601 with milliseconds; formatted once per millisecond, not per message. */
    private String enqueuedTimeNow() {
        long now = System.currentTimeMillis();
        if (now != enqueuedMillis || enqueuedTime == null) {
            enqueuedMillis = now;
            enqueuedTime = Instant.ofEpochMilli(now).toString();
        }
        return enqueuedTime;
    }

    /** PUBACKs for the first {@code count} of a batch (QoS 0 messages, id 0, need none). */
    private void acknowledge(int[] packetIds, int count) {
        if (!channel.isActive()) return;
        for (int i = 0; i < count; i++) {
            if (packetIds[i] == 0) continue;
            channel.write(MqttMessageBuilders.pubAck().packetId(packetIds[i]).build());
            pendingAcks--;
        }
        if (pendingAcks < hub.maxPendingAcks() / 2 && !channel.config().isAutoRead()) {
            channel.config().setAutoRead(true);
        }
        channel.flush();
    }

    /** Coalesces the flushes of many acknowledgements completing together into one write. */
    void scheduleFlush() {
        if (flushScheduled) return;
        flushScheduled = true;
        channel.eventLoop().execute(() -> {
            flushScheduled = false;
            channel.flush();
        });
    }

    private void onPubAck(int packetId) {
        Object origin = packetIds.release(packetId);
        if (origin instanceof QueueDelivery.InFlight inFlight) {
            inFlight.delivery().acknowledged(inFlight);
        } else if (origin instanceof UserTopicRelay.Relayed relayed) {
            relayed.relay().clientAcknowledged(relayed.backendPacketId());
        }
    }

    // --- SUBSCRIBE / UNSUBSCRIBE -------------------------------------------------------------

    private void onSubscribe(MqttSubscribeMessage subscribe) {
        int messageId = subscribe.variableHeader().messageId();
        List<MqttTopicSubscription> requested = subscribe.payload().topicSubscriptions();
        int[] codes = new int[requested.size()];
        List<MqttTopicSubscription> forUserTopics = new ArrayList<>();
        List<Integer> userIndexes = new ArrayList<>();
        MqttQoS deliveryQos = null;
        boolean methods = false;
        for (int i = 0; i < codes.length; i++) {
            MqttTopicSubscription s = requested.get(i);
            String filter = s.topicName();
            int granted = Math.min(s.qualityOfService().value(), 1);
            if (!IotHubTopics.isHubTopic(filter)) {
                userIndexes.add(i);
                forUserTopics.add(new MqttTopicSubscription(filter, MqttQoS.valueOf(granted)));
            } else if (IotHubTopics.isModuleInputFilter(filter, identity)
                    || IotHubTopics.isCloudToDeviceFilter(filter, identity)) {
                codes[i] = granted;
                deliveryQos = MqttQoS.valueOf(granted);
            } else if (IotHubTopics.isIgnoredModuleDeviceboundFilter(filter, identity)) {
                codes[i] = granted;
                LOG.info("{} subscribed to {}: ignored, modules get no cloud-to-device messages", identity, filter);
            } else if (IotHubTopics.isAcceptedServiceFilter(filter)) {
                codes[i] = granted;
                if (filter.equals(ScopeTopics.RESPONSES_FILTER)) scopeResponsesQos = MqttQoS.valueOf(granted);
                if (filter.equals(TwinTopics.RESPONSES_FILTER)) twinResponsesSubscribed = true;
                if (filter.equals(TwinTopics.DESIRED_FILTER)) desiredPatchesSubscribed = true;
                if (filter.equals(MethodTopics.REQUESTS_FILTER)) {
                    // before the SUBACK: a client that saw it is held (MethodInvoker.holds)
                    methodsSubscribed = true;
                    methods = true;
                }
            } else {
                LOG.warn("{} may not subscribe to {}: refused", identity, filter);
                codes[i] = MqttQoS.FAILURE.value();
            }
        }
        if (forUserTopics.isEmpty()) {
            channel.writeAndFlush(subAck(messageId, codes));
        } else {
            relay().subscribe(messageId, forUserTopics, codes, userIndexes);
        }
        if (deliveryQos != null) {
            if (!cleanSession) hub.persistentSubscriptions().add(identity);
            startDelivery(deliveryQos);
        }
        if (methods) hub.methods().subscribed(this); // after the SUBACK: calls waiting for this client follow it
    }

    static MqttSubAckMessage subAck(int messageId, int[] codes) {
        return new MqttSubAckMessage(new MqttFixedHeader(MqttMessageType.SUBACK, false, MqttQoS.AT_MOST_ONCE, false, 0),
                MqttMessageIdVariableHeader.from(messageId), new MqttSubAckPayload(codes));
    }

    private void onUnsubscribe(MqttUnsubscribeMessage unsubscribe) {
        List<String> forUserTopics = new ArrayList<>();
        for (String filter : unsubscribe.payload().topics()) {
            if (!IotHubTopics.isHubTopic(filter)) {
                forUserTopics.add(filter);
            } else if (IotHubTopics.isModuleInputFilter(filter, identity)
                    || IotHubTopics.isCloudToDeviceFilter(filter, identity)) {
                hub.persistentSubscriptions().remove(identity);
                stopDelivery();
            } else if (filter.equals(ScopeTopics.RESPONSES_FILTER)) {
                scopeResponsesQos = null;
            } else if (filter.equals(TwinTopics.RESPONSES_FILTER)) {
                twinResponsesSubscribed = false;
            } else if (filter.equals(TwinTopics.DESIRED_FILTER)) {
                desiredPatchesSubscribed = false;
            } else if (filter.equals(MethodTopics.REQUESTS_FILTER)) {
                methodsSubscribed = false; // calls already sent may still be answered
            }
        }
        int messageId = unsubscribe.variableHeader().messageId();
        if (forUserTopics.isEmpty()) {
            channel.writeAndFlush(MqttMessageBuilders.unsubAck().packetId(messageId).build());
        } else {
            MqttMessageBuilders.UnsubscribeBuilder unsub = MqttMessageBuilders.unsubscribe().messageId(messageId);
            forUserTopics.forEach(unsub::addTopicFilter);
            relay().send(unsub.build());
        }
    }

    /** A module gets its inputs, a device its cloud-to-device messages. */
    private void startDelivery(MqttQoS qos) {
        if (delivery != null) {
            delivery.endpointAvailable(); // subscribed again: no waiting out a backoff
            return;
        }
        DeliveryQueue queue = identity.isModule()
                ? DeliveryQueue.moduleInputs(identity)
                : DeliveryQueue.cloudToDevice(identity.deviceId());
        delivery = new QueueDelivery(this, queue, hub.store(), hub.maxInflightToClient(), qos, hub.clientAckTimeout());
        delivery.start();
    }

    private void stopDelivery() {
        if (delivery != null) {
            delivery.close();
            delivery = null;
        }
    }

    private UserTopicRelay relay() {
        if (relay == null) relay = new UserTopicRelay(this, hub.userTopics(), hub.maxMessageBytes(), cleanSession, null);
        return relay;
    }

    // --- lifecycle -----------------------------------------------------------------------

    /** Ends the connection with a log line that says why; safe from any thread. */
    void closeBecause(String reason) {
        Channel ch = channel;
        if (ch == null) return;
        if (ch.eventLoop().inEventLoop()) {
            if (ch.isActive()) LOG.warn("Closing connection of {} ({}): {}", identity != null ? identity : "unauthenticated client",
                    ch.remoteAddress(), reason);
            ch.close();
        } else {
            ch.eventLoop().execute(() -> closeBecause(reason));
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent e && e.state() == IdleState.READER_IDLE) {
            closeBecause(identity == null ? "sent no CONNECT in time" : "keep-alive expired");
        } else {
            super.userEventTriggered(ctx, evt);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (delivery != null && channel.isWritable()) delivery.pump();
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        submitReadBatch(); // stored, though no PUBACK can reach the client any more
        if (identity != null) {
            hub.connections().unregister(identity, this);
            hub.methods().disconnected(this);
            LOG.info("{} disconnected{}", identity, graceful ? "" : " (connection lost)");
        }
        stopDelivery();
        if (relay != null) relay.close(graceful);
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        closeBecause("connection error: " + cause);
    }
}
