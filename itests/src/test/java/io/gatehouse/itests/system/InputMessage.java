package io.gatehouse.itests.system;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A message a module received on {@code devices/{d}/modules/{m}/inputs/{input}/{property bag}},
 * with the bag decoded (application properties under their names, system properties under their
 * wire names such as {@code $.cdid}).
 */
record InputMessage(String module, String input, Map<String, String> properties, String body) {

    static InputMessage of(HubClient.Received r) {
        String[] parts = r.topic().split("/", 7);
        if (parts.length < 6 || !parts[0].equals("devices") || !parts[2].equals("modules") || !parts[4].equals("inputs")) {
            throw new AssertionError("not a module input topic: " + r.topic());
        }
        Map<String, String> bag = new LinkedHashMap<>();
        if (parts.length == 7 && !parts[6].isEmpty()) {
            for (String pair : parts[6].split("&")) {
                int eq = pair.indexOf('=');
                String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                bag.put(k, v);
            }
        }
        return new InputMessage(parts[3], parts[5], bag, r.body());
    }

    String property(String name) {
        return properties.get(name);
    }
}
