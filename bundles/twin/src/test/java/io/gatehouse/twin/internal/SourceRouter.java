package io.gatehouse.twin.internal;

import io.gatehouse.api.message.Message;
import io.gatehouse.api.message.SystemProperties;
import io.gatehouse.api.route.MessageRouter;
import io.gatehouse.api.route.RouteTarget;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A router that knows only route sources, matched as the router bundle and IoT Edge match them
 * (reference §3.2): a twin change notification's source is {@code /twinChangeNotifications}, a
 * telemetry message's starts with {@code /messages}; a route source matches a message source it
 * is a case-insensitive prefix of, segment-wise.
 */
final class SourceRouter implements MessageRouter {
    private final Map<String, RouteTarget> routes = new LinkedHashMap<>();

    /** {@code FROM source INTO target}. */
    SourceRouter from(String source, RouteTarget target) {
        routes.put(source, target);
        return this;
    }

    static String sourceOf(Message message) {
        if ("twinChangeNotification".equals(message.systemProperty(SystemProperties.MESSAGE_TYPE))) {
            return "/twinChangeNotifications";
        }
        String module = message.systemProperty(SystemProperties.CONNECTION_MODULE_ID);
        return module == null ? "/messages" : "/messages/modules/" + module;
    }

    @Override
    public List<RouteTarget> route(Message message) {
        String source = (sourceOf(message) + "/").toLowerCase(Locale.ROOT);
        List<RouteTarget> targets = new ArrayList<>();
        routes.forEach((from, target) -> {
            String prefix = from.endsWith("*") ? from.substring(0, from.length() - 1) : from;
            if (!prefix.endsWith("/")) prefix += "/";
            if (source.startsWith(prefix.toLowerCase(Locale.ROOT))) targets.add(target);
        });
        return targets;
    }
}
