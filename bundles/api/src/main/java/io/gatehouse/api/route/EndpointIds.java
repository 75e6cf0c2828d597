package io.gatehouse.api.route;

/** Endpoint ids, shared by the router (which names them) and the heads (which deliver). */
public final class EndpointIds {
    /** The upstream endpoint: IoT Hub or a parent gateway. */
    public static final String UPSTREAM = "$upstream";
    /**
     * The prefix of the cloud-to-device queues: {@code $c2d/{deviceId}} holds the messages waiting
     * for that device (put there by the operator's API in root mode, or by the upstream relaying
     * them from the parent), delivered by the protocol head the device is connected to.
     */
    public static final String CLOUD_TO_DEVICE_PREFIX = "$c2d/";

    private EndpointIds() {
    }

    /** The endpoint of a module input: {@code {deviceId}/{moduleId}/{input}}. */
    public static String moduleInput(String deviceId, String moduleId, String input) {
        return deviceId + "/" + moduleId + "/" + input;
    }

    /** The prefix shared by all input endpoints of one module. */
    public static String moduleInputPrefix(String deviceId, String moduleId) {
        return deviceId + "/" + moduleId + "/";
    }

    /** The queue of the cloud-to-device messages for a device: {@code $c2d/{deviceId}}. */
    public static String cloudToDevice(String deviceId) {
        return CLOUD_TO_DEVICE_PREFIX + deviceId;
    }

    /** The input name of a module input endpoint id, or null for any other endpoint. */
    public static String inputName(String endpointId) {
        if (UPSTREAM.equals(endpointId) || endpointId.startsWith(CLOUD_TO_DEVICE_PREFIX)) return null;
        int last = endpointId.lastIndexOf('/');
        return last < 0 ? null : endpointId.substring(last + 1);
    }
}
