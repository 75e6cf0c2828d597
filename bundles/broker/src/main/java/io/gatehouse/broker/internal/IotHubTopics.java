package io.gatehouse.broker.internal;

import io.gatehouse.api.identity.IdentityId;

/**
 * The IoT Hub MQTT topic names this head serves itself. Everything under {@code devices/},
 * {@code $iothub/}, {@code $edgehub/} and {@code $gatehouse/} (Gatehouse's own extensions, such as
 * the device scope) belongs to the hub and is only ever allowed for the connection's own identity;
 * every other topic is a user topic for the embedded general broker.
 */
final class IotHubTopics {

    private static final String DEVICES = "devices/";
    private static final String EVENTS = "messages/events";
    private static final String DEVICEBOUND = "messages/devicebound/";

    private IotHubTopics() {
    }

    /** Whether the topic name or filter belongs to the IoT Hub namespace. */
    static boolean isHubTopic(String topic) {
        return topic.startsWith(DEVICES) || topic.startsWith("$iothub/") || topic.equals("devices")
                || topic.startsWith("$edgehub/") || topic.startsWith("$gatehouse/");
    }

    /** The telemetry topic of an identity without its property bag: computed once per connection. */
    static String telemetryTopic(IdentityId identity) {
        return ownPrefix(identity) + EVENTS;
    }

    /**
     * The property bag of a telemetry topic whose start is {@code telemetryTopic}
     * ({@code devices/{d}/messages/events/[bag][/]} or {@code devices/{d}/modules/{m}/messages/events/[bag][/]}),
     * or null when the topic is not that telemetry topic. A {@code /} after the bag is not part of
     * it: the Azure IoT Java SDK's module client ends every telemetry topic with one, and it would
     * otherwise end the last value ({@code $.ct=application%2Fjson/}, so no body query matches).
     */
    static String telemetryPropertyBag(String topic, String telemetryTopic) {
        if (!topic.startsWith(telemetryTopic)) return null;
        if (topic.length() == telemetryTopic.length()) return "";
        if (topic.charAt(telemetryTopic.length()) != '/') return null;
        int end = topic.endsWith("/") ? topic.length() - 1 : topic.length();
        return end <= telemetryTopic.length() ? "" : topic.substring(telemetryTopic.length() + 1, end);
    }

    /**
     * Whether a subscription filter asks for the module inputs of {@code identity}:
     * {@code devices/{d}/modules/{m}/inputs/#} or {@code devices/{d}/modules/{m}/#}.
     */
    static boolean isModuleInputFilter(String filter, IdentityId identity) {
        if (!identity.isModule()) return false;
        String prefix = ownPrefix(identity);
        return filter.equals(prefix + "inputs/#") || filter.equals(prefix + "#");
    }

    /**
     * Whether a subscription filter asks for the cloud-to-device messages of {@code identity}, a
     * device: {@code devices/{d}/messages/devicebound/#}. Modules get none (reference §8).
     */
    static boolean isCloudToDeviceFilter(String filter, IdentityId identity) {
        return !identity.isModule() && filter.equals(ownPrefix(identity) + DEVICEBOUND + "#");
    }

    /**
     * A module's {@code devices/{d}/modules/{m}/messages/devicebound/#}: granted so that an SDK
     * asking for it can open, but nothing is ever delivered on it.
     */
    static boolean isIgnoredModuleDeviceboundFilter(String filter, IdentityId identity) {
        return identity.isModule() && filter.equals(ownPrefix(identity) + DEVICEBOUND + "#");
    }

    /**
     * Subscriptions the IoT Hub SDKs make for twins and methods, and the answers to device-scope
     * requests; they are accepted and served.
     */
    static boolean isAcceptedServiceFilter(String filter) {
        return filter.equals(TwinTopics.RESPONSES_FILTER) || filter.equals(TwinTopics.DESIRED_FILTER)
                || filter.equals(MethodTopics.REQUESTS_FILTER) || filter.equals(ScopeTopics.RESPONSES_FILTER);
    }

    /** {@code devices/{d}/messages/devicebound/{bag}}: where a cloud-to-device message reaches its device. */
    static String cloudToDeviceTopic(String deviceId, String propertyBag) {
        return DEVICES + deviceId + "/" + DEVICEBOUND + propertyBag;
    }

    /** The {@code $.to} of a cloud-to-device message, as IoT Hub sets it. */
    static String cloudToDeviceAddress(String deviceId) {
        return "/" + DEVICES + deviceId + "/messages/deviceBound";
    }

    /** {@code devices/{d}/modules/{m}/inputs/{input}/{bag}}: where a routed message reaches a module. */
    static String moduleInputTopic(IdentityId module, String input, String propertyBag) {
        return ownPrefix(module) + "inputs/" + input + "/" + propertyBag;
    }

    private static String ownPrefix(IdentityId identity) {
        return identity.isModule()
                ? DEVICES + identity.deviceId() + "/modules/" + identity.moduleId() + "/"
                : DEVICES + identity.deviceId() + "/";
    }
}
