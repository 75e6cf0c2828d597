package io.gatehouse.upstream.internal;

import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.message.Message;

/**
 * One identity's channel to the parent, whatever the protocol: its telemetry, its twin, the direct
 * methods the parent calls on it and, for the gateway itself, the device scope. Over MQTT it is
 * that identity's own connection; over AMQP it is the identity's session on the one connection
 * every identity shares. Reconnecting is always the caller's choice ({@link #ensureConnected}).
 */
interface ParentChannel {

    /** What the channel listens for, fixed when it is made. */
    enum Feature {
        /** The answers to the device scope request (the gateway's own channel). */
        SCOPE,
        /** Twin answers and desired-property patches. */
        TWIN,
        /** Direct-method calls from the parent. */
        METHODS
    }

    /** What the parent sends on its own; called on the transport's thread, so it must never block. */
    interface Listener {
        /** A desired-properties patch; {@code version} null when the parent did not say. */
        void desiredPatch(ParentChannel channel, Long version, byte[] patch);

        void methodCall(ParentChannel channel, MethodCall call);

        /** Once per established channel that is lost (not on {@link #close}). */
        void lost(ParentChannel channel, String cause);
    }

    /** A message on its way: done when the parent took it (stored it durably) or refused it. */
    interface Ack {
        boolean isDone();

        /**
         * Waits until the parent took it.
         *
         * @throws AckTimeoutException no answer within {@code timeoutMillis}
         * @throws UpstreamException refused, released, or the channel was lost
         */
        void await(long timeoutMillis) throws UpstreamException;
    }

    IdentityId identity();

    boolean isConnected();

    /**
     * How many times it connected: a new value means a new session at the parent, so anything
     * synchronised over the previous one (a twin read at connect) must be done again.
     */
    long connects();

    /** Nanoseconds since it was last used to send. */
    long idleNanos();

    /**
     * Connects (authenticates, subscribes or attaches its links) unless it is connected, within the
     * operation timeout.
     *
     * @throws UpstreamException why not: refused (not authorized, bad token), unreachable, timed out
     */
    void ensureConnected() throws UpstreamException;

    /**
     * Sends telemetry on this identity. A transport that batches may hold it until {@link #flush}
     * or until its batch is full.
     */
    Ack send(Message message) throws UpstreamException;

    /** Sends whatever {@link #send} still holds. */
    void flush();

    /**
     * Drops whatever {@link #send} still holds, failing its acknowledgements: the round that sent it
     * failed, and the store hands those messages out again.
     */
    void discardUnsent();

    /** The whole twin: status 200 with {@code {"desired":{…},"reported":{…}}}, or the parent's refusal. */
    Requests.Response twinGet() throws UpstreamException;

    /** A reported-properties merge patch: 204 when the parent took it, 400 with the reason when not. */
    Requests.Response patchReported(byte[] patch) throws UpstreamException;

    /** The device scope request (the gateway's own channel only). */
    Requests.Response scope() throws UpstreamException;

    /**
     * Receives the parent's cloud-to-device messages for this identity (a leaf device) into the
     * local store, unless it does already.
     *
     * @return false when the transport relays no cloud-to-device messages
     */
    boolean receiveCloudToDevice() throws UpstreamException;

    void close();
}
