package io.gatehouse.router.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.api.deployment.InvalidConfigurationException;
import io.gatehouse.api.route.RouteTarget;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads and validates the {@code $edgeHub} desired properties (schema 1.0 to 1.3). Only the
 * structure is checked here; route strings are compiled by {@link RouteCompiler}.
 */
public final class EdgeHubConfigParser {
    /** The TTL IoT Edge's documentation uses when a 1.0 manifest gives none. */
    public static final long DEFAULT_TIME_TO_LIVE_SECS = 7200;
    private static final long MAX_UINT = 0xFFFF_FFFFL;

    private final ObjectMapper json;

    public EdgeHubConfigParser() {
        this.json = new ObjectMapper()
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    public JsonNode readTree(String desiredPropertiesJson) throws InvalidConfigurationException {
        if (desiredPropertiesJson == null || desiredPropertiesJson.isBlank()) {
            throw invalid("the desired properties are empty");
        }
        JsonNode root;
        try {
            root = json.readTree(desiredPropertiesJson);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw invalid("not valid JSON: " + e.getOriginalMessage() + where);
        }
        if (root == null || !root.isObject()) throw invalid("the desired properties must be a JSON object");
        return root;
    }

    public EdgeHubConfig parse(String desiredPropertiesJson) throws InvalidConfigurationException {
        return parse(readTree(desiredPropertiesJson));
    }

    public EdgeHubConfig parse(JsonNode root) throws InvalidConfigurationException {
        String version = schemaVersion(root.get("schemaVersion"));
        int minor = Integer.parseInt(version.split("\\.")[1]);
        boolean routeObjectsAllowed = minor >= 1;

        JsonNode routesNode = root.get("routes");
        List<RouteSpec> routes = new ArrayList<>();
        if (routesNode == null || routesNode.isNull()) {
            if (routeObjectsAllowed) throw invalid("routes is required for schemaVersion " + version);
        } else if (!routesNode.isObject()) {
            throw invalid("routes must be an object of route name to route, got " + kind(routesNode));
        } else {
            for (Map.Entry<String, JsonNode> e : routesNode.properties()) {
                routes.add(route(e.getKey(), e.getValue(), routeObjectsAllowed, version));
            }
        }
        long ttl = storeAndForwardTtl(root.get("storeAndForwardConfiguration"), routeObjectsAllowed, version);
        // mqttBroker (1.2+) configured IoT Edge's preview broker, which is gone; accepted and ignored.
        return new EdgeHubConfig(version, routes, ttl);
    }

    private static String schemaVersion(JsonNode node) throws InvalidConfigurationException {
        if (node == null || node.isNull()) throw invalid("schemaVersion is missing");
        if (!node.isTextual() && !node.isNumber()) throw invalid("schemaVersion must be a string such as \"1.1\"");
        String text = node.asText().strip();
        String[] parts = text.split("\\.", -1);
        boolean parses = parts.length >= 2 && parts.length <= 4;
        for (String p : parts) {
            parses &= !p.isEmpty() && p.length() <= 9 && p.chars().allMatch(Character::isDigit);
        }
        if (!parses) throw invalid("schemaVersion \"" + text + "\" is not a version (expected major.minor, e.g. \"1.1\")");
        int major = Integer.parseInt(parts[0]);
        int minor = Integer.parseInt(parts[1]);
        if (major != 1 || minor > 3) {
            throw invalid("schemaVersion " + text + " is not supported (supported: 1.0, 1.1, 1.2, 1.3)");
        }
        return major + "." + minor;
    }

    private static RouteSpec route(String name, JsonNode value, boolean objectsAllowed, String version)
            throws InvalidConfigurationException {
        if (name.isEmpty()) throw invalid("a route name is empty");
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '.' || c == '$' || c == '#' || c == ' ') {
                throw invalid("route name \"" + name + "\" contains '" + c + "' (route names may not contain '.', '$', '#' or spaces)");
            }
        }
        if (value.isTextual()) {
            return new RouteSpec(name, nonBlankRoute(name, value.textValue()), RouteTarget.DEFAULT_PRIORITY, 0);
        }
        if (!value.isObject()) {
            throw routeError(name, "malformed route specification: expected a route string"
                    + (objectsAllowed ? " or an object {route, priority, timeToLiveSecs}" : "") + ", got " + kind(value));
        }
        if (!objectsAllowed) {
            throw routeError(name, "schemaVersion " + version
                    + " allows only route strings; use schemaVersion 1.1 or later for priority and timeToLiveSecs");
        }
        JsonNode route = value.get("route");
        if (route == null || route.isNull()) throw routeError(name, "route is missing");
        if (!route.isTextual()) throw routeError(name, "route must be a string, got " + kind(route));
        int priority = RouteTarget.DEFAULT_PRIORITY;
        JsonNode p = value.get("priority");
        if (p != null && !p.isNull()) {
            if (!p.isIntegralNumber() || p.asLong() < 0 || p.asLong() > 9) {
                throw routeError(name, "priority must be an integer from 0 (highest) to 9, got " + p);
            }
            priority = p.asInt();
        }
        long ttl = 0;
        JsonNode t = value.get("timeToLiveSecs");
        if (t != null && !t.isNull()) {
            if (!t.isIntegralNumber() || !t.canConvertToLong() || t.asLong() < 0 || t.asLong() > MAX_UINT) {
                throw routeError(name, "timeToLiveSecs must be an integer from 0 to " + MAX_UINT
                        + " (0: use the store-and-forward TTL), got " + t);
            }
            ttl = t.asLong();
        }
        return new RouteSpec(name, nonBlankRoute(name, route.textValue()), priority, ttl);
    }

    private static String nonBlankRoute(String name, String route) throws InvalidConfigurationException {
        if (route.isBlank()) throw routeError(name, "the route is empty");
        return route;
    }

    private static long storeAndForwardTtl(JsonNode section, boolean required, String version)
            throws InvalidConfigurationException {
        if (section == null || section.isNull()) {
            if (required) throw invalid("storeAndForwardConfiguration is required for schemaVersion " + version);
            return DEFAULT_TIME_TO_LIVE_SECS;
        }
        if (!section.isObject()) throw invalid("storeAndForwardConfiguration must be an object, got " + kind(section));
        JsonNode ttl = section.get("timeToLiveSecs");
        if (ttl == null || ttl.isNull()) {
            if (required) throw invalid("storeAndForwardConfiguration.timeToLiveSecs is required for schemaVersion " + version);
            return DEFAULT_TIME_TO_LIVE_SECS;
        }
        if (!ttl.isIntegralNumber() || !ttl.canConvertToInt()) {
            throw invalid("storeAndForwardConfiguration.timeToLiveSecs must be an integer (negative: keep forever), got " + ttl);
        }
        return ttl.asInt();
    }

    private static String kind(JsonNode node) {
        return node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
    }

    static InvalidConfigurationException invalid(String what) {
        return new InvalidConfigurationException("Error parsing $edgeHub desired properties: " + what);
    }

    static InvalidConfigurationException routeError(String name, String what) {
        return new InvalidConfigurationException("Error parsing route " + name + ": " + what);
    }
}
