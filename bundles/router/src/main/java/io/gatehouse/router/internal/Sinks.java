package io.gatehouse.router.internal;

import io.gatehouse.api.route.EndpointIds;

/** The INTO part of a route: the endpoint id it names, or why it names none. */
public final class Sinks {
    private static final String UPSTREAM = "$upstream";
    private static final String BROKERED_ENDPOINT = "BrokeredEndpoint";

    private Sinks() {
    }

    /** {@code $upstream}, compared case-insensitively. */
    public static String systemEndpoint(String name) {
        if (name.equalsIgnoreCase(UPSTREAM)) return EndpointIds.UPSTREAM;
        throw new IllegalArgumentException("system endpoint " + name + " is not supported (only $upstream is)");
    }

    /** {@code BrokeredEndpoint("/modules/{module}/inputs/{input}")}. */
    public static String functionEndpoint(String function, String address, String edgeDeviceId) {
        if (!function.equalsIgnoreCase(BROKERED_ENDPOINT)) {
            throw new IllegalArgumentException("endpoint function " + function
                    + " is not supported (use BrokeredEndpoint(\"/modules/<module>/inputs/<input>\"))");
        }
        String trimmed = address.strip();
        int from = 0;
        int to = trimmed.length();
        if (from < to && trimmed.charAt(from) == '/') from++;
        if (to > from && trimmed.charAt(to - 1) == '/') to--;
        String[] parts = trimmed.substring(from, to).split("/", -1);
        if (parts.length != 4 || !parts[0].equalsIgnoreCase("modules") || !parts[2].equalsIgnoreCase("inputs")
                || parts[1].isBlank() || parts[3].isBlank()) {
            throw new IllegalArgumentException("BrokeredEndpoint address \"" + address
                    + "\" must be /modules/<module>/inputs/<input>");
        }
        return EndpointIds.moduleInput(edgeDeviceId, parts[1], parts[3]);
    }
}
