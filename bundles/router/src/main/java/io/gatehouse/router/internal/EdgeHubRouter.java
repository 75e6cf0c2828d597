package io.gatehouse.router.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.api.deployment.EdgeHubConfigurator;
import io.gatehouse.api.deployment.InvalidConfigurationException;
import io.gatehouse.api.message.Message;
import io.gatehouse.api.route.MessageRouter;
import io.gatehouse.api.route.RouteTarget;
import io.gatehouse.api.route.RouteTestResult;
import io.gatehouse.api.route.RouteTester;
import io.gatehouse.api.route.RoutingStatistics;
import io.gatehouse.router.internal.condition.EvaluationContext;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The route table of the hub: applies the {@code $edgeHub} desired properties (all or nothing,
 * persisted before they take effect), routes every message with the routes in force, counts the
 * telemetry no route wanted, and tests single routes with the same compiler and evaluation.
 */
@Component(service = {MessageRouter.class, EdgeHubConfigurator.class, RouteTester.class, RoutingStatistics.class},
        configurationPid = {EdgeHubRouter.PID, "io.gatehouse.hub"})
// bnd refuses @Designate on a component with two PIDs; the OCD's pid attribute designates the router PID instead.
public final class EdgeHubRouter implements MessageRouter, EdgeHubConfigurator, RouteTester, RoutingStatistics {
    static final String PID = "io.gatehouse.router";
    private static final Logger LOG = LoggerFactory.getLogger(EdgeHubRouter.class);

    @ObjectClassDefinition(pid = PID, name = "Gatehouse router",
            description = "Routes of the $edgeHub desired properties, where the last applied ones are kept, "
                    + "and where telemetry no route matches goes")
    public @interface Config {
        @AttributeDefinition(description = "Directory holding the last applied $edgeHub desired properties "
                + "(relative paths are relative to the working directory)")
        String stateDirectory() default "data/router";

        @AttributeDefinition(description = "Id of this edge device (PID io.gatehouse.hub); BrokeredEndpoint "
                + "routes name module inputs of this device")
        String deviceId() default "edge1";

        @AttributeDefinition(description = "Sink for telemetry that no route matched, e.g. $upstream or "
                + "BrokeredEndpoint(\"/modules/m/inputs/i\"); empty: such messages are dropped and counted as no_route",
                required = false)
        String fallbackRoute() default "";
    }

    /** Everything in force, swapped as one so a reader never sees half a configuration. */
    private record Active(String json, JsonNode tree, RouteTable table, long timeToLiveSecs) {
    }

    /** The name of a tested route in debug logs; its errors name no route, the caller knows which it sent. */
    private static final String TESTED_ROUTE = "tested";

    private final Object lock = new Object();
    private final ObjectMapper bodyJson = new ObjectMapper();
    private final EdgeHubConfigParser parser = new EdgeHubConfigParser();
    private final RouteCompiler compiler = new RouteCompiler();
    private final NoRouteCounter noRoute = new NoRouteCounter();

    private volatile Active active = none();
    private volatile String deviceId = "edge1";
    private boolean closed;
    private String fallbackRoute = "";
    /** The fallback's endpoint id, or null when there is none (not set or invalid). */
    private String fallbackEndpoint;
    private StateFile stateFile;

    @Activate
    void activate(Config config) {
        synchronized (lock) {
            deviceId = config.deviceId();
            setFallback(config.fallbackRoute());
            stateFile = new StateFile(Path.of(config.stateDirectory()));
            active = none();
            restore();
        }
    }

    @Modified
    void modified(Config config) {
        synchronized (lock) {
            boolean deviceChanged = !config.deviceId().equals(deviceId);
            boolean fallbackChanged = !Objects.equals(Objects.toString(config.fallbackRoute(), "").strip(), fallbackRoute);
            StateFile newFile = new StateFile(Path.of(config.stateDirectory()));
            boolean directoryChanged = !newFile.path().equals(stateFile.path());
            deviceId = config.deviceId();
            if (deviceChanged || fallbackChanged) setFallback(config.fallbackRoute());
            stateFile = newFile;
            Active current = active;
            if (current.json() == null) {
                active = none();
                if (directoryChanged) restore();
                return;
            }
            if (directoryChanged) {
                try {
                    stateFile.write(current.json());
                } catch (IOException e) {
                    LOG.warn("Could not store the $edgeHub configuration in {}: {}", stateFile.path(), e.toString());
                }
            }
            if (deviceChanged) {
                try {
                    active = compile(current.json());
                    LOG.info("Device id is now {}: recompiled {} routes", deviceId, active.table().size());
                    return;
                } catch (InvalidConfigurationException e) {
                    LOG.warn("Device id is now {} but the routes did not recompile, keeping them: {}", deviceId, e.getMessage());
                }
            }
            if (deviceChanged || fallbackChanged) {
                active = new Active(current.json(), current.tree(),
                        current.table().withFallback(fallbackTarget(current.timeToLiveSecs())), current.timeToLiveSecs());
            }
        }
    }

    /**
     * Keeps the routing table: a caller that took this router just before it went out of service
     * (its bundle being updated) still routes by the last applied routes, where an emptied table
     * would acknowledge and drop its messages as no_route. Only new configuration is refused.
     */
    @Deactivate
    void deactivate() {
        synchronized (lock) {
            closed = true;
        }
    }

    @Override
    public List<RouteTarget> route(Message message) {
        return active.table().route(message);
    }

    @Override
    public Map<String, Long> droppedMessages() {
        return Map.of(NoRouteCounter.REASON, noRoute.count());
    }

    @Override
    public RouteTestResult test(String route, Message message) throws InvalidConfigurationException {
        Objects.requireNonNull(message, "message");
        if (route == null || route.isBlank()) throw new InvalidConfigurationException("Error parsing route: the route is empty");
        CompiledRoute compiled;
        try {
            compiled = compiler.compileOrThrow(new RouteSpec(TESTED_ROUTE, route, RouteTarget.DEFAULT_PRIORITY, 0),
                    deviceId, active.timeToLiveSecs());
        } catch (RouteSyntaxException e) {
            throw new InvalidConfigurationException("Error parsing route: " + e.getMessage());
        }
        boolean sourceMatches = compiled.source().matches(MessageSources.of(message));
        Object condition = compiled.evaluate(new EvaluationContext(message, bodyJson, compiled.bodyPaths()));
        String conditionText = condition == Boolean.TRUE ? "true" : condition == Boolean.FALSE ? "false" : "undefined";
        boolean fires = sourceMatches && condition == Boolean.TRUE;
        return new RouteTestResult(fires ? "true" : "false", sourceMatches, conditionText, compiled.target().endpointId());
    }

    @Override
    public void validate(String desiredPropertiesJson) throws InvalidConfigurationException {
        synchronized (lock) {
            compile(desiredPropertiesJson);
        }
    }

    @Override
    public void apply(String desiredPropertiesJson) throws InvalidConfigurationException {
        synchronized (lock) {
            if (closed) throw new IllegalStateException("the router is out of service; apply to its successor");
            try {
                Active next = compile(desiredPropertiesJson);
                Active current = active;
                if (next.tree().equals(current.tree())) {
                    LOG.debug("$edgeHub configuration unchanged ({} routes)", current.table().size());
                    return;
                }
                try {
                    stateFile.write(desiredPropertiesJson);
                } catch (IOException e) {
                    throw new InvalidConfigurationException("Could not store the $edgeHub configuration in "
                            + stateFile.path() + ": " + e, e);
                }
                active = next;
                LOG.info("Applied $edgeHub configuration: {}", describe(next));
            } catch (InvalidConfigurationException e) {
                LOG.warn("Refused $edgeHub configuration, the current one stays: {}", e.getMessage());
                throw e;
            }
        }
    }

    @Override
    public String current() {
        return active.json();
    }

    private Active compile(String json) throws InvalidConfigurationException {
        JsonNode tree = parser.readTree(json);
        EdgeHubConfig config = parser.parse(tree);
        List<CompiledRoute> routes = compiler.compileAll(config, deviceId);
        RouteTable table = new RouteTable(routes, fallbackTarget(config.timeToLiveSecs()), noRoute, bodyJson);
        return new Active(json, tree, table, config.timeToLiveSecs());
    }

    /** No configuration yet: no routes, and the fallback (if any) keeps the default TTL. */
    private Active none() {
        long ttl = EdgeHubConfigParser.DEFAULT_TIME_TO_LIVE_SECS;
        return new Active(null, null,
                new RouteTable(List.of(), fallbackTarget(ttl), noRoute, bodyJson), ttl);
    }

    private RouteTarget fallbackTarget(long timeToLiveSecs) {
        return fallbackEndpoint == null ? null
                : new RouteTarget(fallbackEndpoint, RouteTarget.DEFAULT_PRIORITY, timeToLiveSecs);
    }

    /** An operator edits this in a file: a bad value is reported and leaves no fallback, it does not stop the router. */
    private void setFallback(String sink) {
        fallbackRoute = Objects.toString(sink, "").strip();
        fallbackEndpoint = null;
        if (fallbackRoute.isEmpty()) return;
        try {
            fallbackEndpoint = compiler.compileSink(fallbackRoute, deviceId);
            LOG.info("Telemetry that no route matches goes to fallback endpoint {}", fallbackEndpoint);
        } catch (RouteSyntaxException e) {
            LOG.warn("Ignoring fallbackRoute \"{}\" of {}: {}; telemetry that no route matches is dropped",
                    fallbackRoute, PID, e.getMessage());
        }
    }

    private void restore() {
        String json;
        try {
            json = stateFile.read();
        } catch (IOException e) {
            LOG.warn("Ignoring the stored $edgeHub configuration {}: cannot read it ({}); starting with no routes",
                    stateFile.path(), e.toString());
            return;
        }
        if (json == null) {
            LOG.info("No stored $edgeHub configuration in {}: no routes until one is applied", stateFile.path());
            return;
        }
        try {
            active = compile(json);
            LOG.info("Restored $edgeHub configuration from {}: {}", stateFile.path(), describe(active));
        } catch (InvalidConfigurationException e) {
            LOG.warn("Ignoring the stored $edgeHub configuration {}: {}; starting with no routes",
                    stateFile.path(), e.getMessage());
        }
    }

    private static String describe(Active active) {
        List<CompiledRoute> routes = active.table().routes();
        RouteTarget fallback = active.table().fallback();
        return routes.size() + (routes.size() == 1 ? " route " : " routes ")
                + routes.stream().map(CompiledRoute::name).collect(Collectors.joining(", ", "[", "]"))
                + ", store-and-forward TTL " + (active.timeToLiveSecs() < 0 ? "forever" : active.timeToLiveSecs() + " s")
                + (fallback == null ? "" : ", fallback " + fallback.endpointId());
    }
}
