package io.gatehouse.api.message;

/**
 * Keys of a message's system properties. They are the hub's internal names, the ones a route
 * condition reads as {@code $name} (for example {@code $connectionDeviceId}).
 */
public final class SystemProperties {
    public static final String MESSAGE_ID = "messageId";
    public static final String CORRELATION_ID = "cid";
    public static final String TO = "to";
    public static final String USER_ID = "userId";
    public static final String CONTENT_TYPE = "contentType";
    public static final String CONTENT_ENCODING = "contentEncoding";
    public static final String EXPIRY_TIME = "absolute-expiry-time";
    public static final String CREATION_TIME = "creationTime";
    public static final String OUTPUT_NAME = "outputName";
    public static final String MESSAGE_SCHEMA = "messageSchema";
    public static final String INTERFACE_ID = "iothub-interface-id";
    public static final String COMPONENT_NAME = "dt-subject";
    public static final String OPERATION = "operation";
    public static final String ACK = "ack";
    public static final String MESSAGE_TYPE = "messageType";
    public static final String MODEL_ID = "modelId";
    /** Stamped by the hub from the authenticated identity. */
    public static final String CONNECTION_DEVICE_ID = "connectionDeviceId";
    /** Stamped by the hub from the authenticated identity; absent for leaf devices. */
    public static final String CONNECTION_MODULE_ID = "connectionModuleId";
    /** How the sender authenticated, stamped by the hub. */
    public static final String CONNECTION_AUTH_METHOD = "connectionAuthMethod";
    /** Epoch milliseconds, ISO-8601 on the wire; stamped by the hub on ingress. */
    public static final String ENQUEUED_TIME = "enqueuedTime";
    /** Unique id the hub gives each message on ingress. */
    public static final String EDGE_MESSAGE_ID = "edgeMessageId";

    private SystemProperties() {
    }
}
