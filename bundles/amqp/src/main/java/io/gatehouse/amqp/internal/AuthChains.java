package io.gatehouse.amqp.internal;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code auth-chain} application property of a CBS put-token (a Gatehouse extension): the
 * same chain the MQTT username carries, elements URL-encoded and joined by {@code ;}, the target
 * first and the gateway acting for it last ({@code leaf7;line1}, {@code line1%2FtempSensor;line1}).
 */
final class AuthChains {
    private AuthChains() {
    }

    /**
     * @throws IllegalArgumentException naming what is malformed: an empty element, or one that is not URL encoding
     */
    static List<String> parse(String chain) {
        List<String> elements = new ArrayList<>();
        for (String encoded : chain.split(";", -1)) {
            String element;
            try {
                // a '+' stays a plus: ids have no spaces, and a form-encoding decoder would turn it into one
                element = URLDecoder.decode(encoded.replace("+", "%2B"), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("auth-chain element '" + encoded + "' is not valid URL encoding");
            }
            if (element.isEmpty()) throw new IllegalArgumentException("auth-chain '" + chain + "' has an empty element");
            elements.add(element);
        }
        return List.copyOf(elements);
    }

    /** The gateway acting for the target, or null when the chain names the target alone (a direct connection). */
    static String actor(List<String> chain) {
        return chain == null || chain.size() < 2 ? null : chain.get(chain.size() - 1);
    }
}
