package io.gatehouse.cli;

import java.net.URI;
import java.util.Map;

/**
 * One parsed command line: what to do, against which gateway, and its arguments (null when not
 * given or not used by that command). {@code ttlSeconds} is the validity of a token to print;
 * {@code route} and {@code messageFile} are what {@code route test} evaluates; {@code endpoint}
 * and {@code limit} name the dead letters to list, purge or requeue; {@code moduleId} is also the
 * deployed module whose logs to print or to restart, and {@code tail} how many log lines;
 * {@code patchFile} holds the desired properties patch of {@code twin set} ({@code -}: stdin);
 * {@code method} is what {@code method invoke} calls on the device or module; {@code registration}
 * is where {@code identity add} places a device among gateways and the X.509 thumbprints it
 * registers; {@code cloudMessage} is what
 * {@code c2d send} sends to {@code deviceId}. For {@code deploy}, {@code deviceId} is the child
 * gateway to deploy to (null: this gateway).
 */
record Command(Action action, URI gateway, String deviceId, String moduleId, String key, String manifest, Long ttlSeconds,
        String route, String messageFile, String endpoint, Integer limit, Integer tail, String patchFile, MethodCall method,
        Registration registration, CloudMessage cloudMessage) {

    /**
     * What {@code identity add} registers beside the ids and key: its place among gateways (an edge
     * device, and/or the edge device it is below, or null), and the thumbprints of the self-signed
     * certificates it may also authenticate with (upper case, no separators; null when none).
     */
    record Registration(boolean edgeDevice, String parentDeviceId, String primaryThumbprint,
            String secondaryThumbprint) {
        static final Registration NONE = new Registration(false, null);

        /** A place among gateways, no thumbprints. */
        Registration(boolean edgeDevice, String parentDeviceId) {
            this(edgeDevice, parentDeviceId, null, null);
        }
    }

    /**
     * A cloud-to-device message: its body as given on the command line, or the file that holds it
     * ({@code -}: stdin); application properties in order; and the options left to the gateway when
     * null (message id, time to live in seconds, content type).
     */
    record CloudMessage(String body, String file, Map<String, String> properties, String messageId, Long ttlSeconds,
            String contentType) {
    }

    /**
     * A direct method call: its name; its payload, as JSON text checked to be one JSON value, or
     * the file that holds it ({@code -}: stdin), or neither (no payload); and the timeouts in
     * seconds, null to leave them to the gateway (30 and 0).
     */
    record MethodCall(String name, String payload, String payloadFile, Integer responseTimeoutSeconds,
            Integer connectTimeoutSeconds) {
    }

    enum Action {
        HELP, IDENTITY_ADD, IDENTITY_LIST, IDENTITY_SHOW, IDENTITY_REMOVE, IDENTITY_TOKEN, DEPLOY, QUEUES, HEALTH,
        ROUTE_TEST, ROUTE_STATS, DEADLETTERS_LIST, DEADLETTERS_PURGE, DEADLETTERS_REQUEUE, MODULE_LIST, MODULE_LOGS,
        MODULE_RESTART, TWIN_GET, TWIN_SET, METHOD_INVOKE, C2D_SEND
    }

    /** A command that takes none of the route or dead-letter arguments. */
    Command(Action action, URI gateway, String deviceId, String moduleId, String key, String manifest, Long ttlSeconds) {
        this(action, gateway, deviceId, moduleId, key, manifest, ttlSeconds, null, null);
    }

    /** A command that takes none of the dead-letter arguments. */
    Command(Action action, URI gateway, String deviceId, String moduleId, String key, String manifest, Long ttlSeconds,
            String route, String messageFile) {
        this(action, gateway, deviceId, moduleId, key, manifest, ttlSeconds, route, messageFile, null, null, null, null, null,
                null, null);
    }

    /** A dead-letter command. */
    static Command deadLetters(Action action, URI gateway, String endpoint, Integer limit) {
        return new Command(action, gateway, null, null, null, null, null, null, null, endpoint, limit, null, null, null,
                null, null);
    }

    /** A command on the deployed modules: list them, or one module's logs or restart. */
    static Command module(Action action, URI gateway, String module, Integer tail) {
        return new Command(action, gateway, null, module, null, null, null, null, null, null, null, tail, null, null, null,
                null);
    }

    /** {@code twin get} (no patch file) or {@code twin set}. */
    static Command twin(Action action, URI gateway, String deviceId, String moduleId, String patchFile) {
        return new Command(action, gateway, deviceId, moduleId, null, null, null, null, null, null, null, null, patchFile,
                null, null, null);
    }

    /** {@code method invoke}: the device, optionally its module, and the call. */
    static Command method(URI gateway, String deviceId, String moduleId, MethodCall call) {
        return new Command(Action.METHOD_INVOKE, gateway, deviceId, moduleId, null, null, null, null, null, null, null, null,
                null, call, null, null);
    }

    /** {@code identity add}: the ids, the key (or null) and the place among gateways. */
    static Command identityAdd(URI gateway, String deviceId, String moduleId, String key, Registration registration) {
        return new Command(Action.IDENTITY_ADD, gateway, deviceId, moduleId, key, null, null, null, null, null, null, null,
                null, null, registration, null);
    }

    /** {@code c2d send}: the device and the message. */
    static Command cloudToDevice(URI gateway, String deviceId, CloudMessage message) {
        return new Command(Action.C2D_SEND, gateway, deviceId, null, null, null, null, null, null, null, null, null, null,
                null, null, message);
    }
}
