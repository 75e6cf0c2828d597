package io.gatehouse.api.route;

/** Endpoint ids, shared by the router (which names them) and the heads (which deliver). */
public final class EndpointIds {
    /** The upstream endpoint: IoT Hub or a parent gateway. */
    public static final String UPSTREAM = "$upstream";

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

    /** The input name of a module input endpoint id, or null for any other endpoint. */
    public static String inputName(String endpointId) {
        if (UPSTREAM.equals(endpointId)) return null;
        int last = endpointId.lastIndexOf('/');
        return last < 0 ? null : endpointId.substring(last + 1);
    }
}
