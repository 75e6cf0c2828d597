package io.gatehouse.router.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.api.deployment.EdgeHubConfigurator;
import io.gatehouse.api.deployment.InvalidConfigurationException;
import io.gatehouse.api.message.Message;
import io.gatehouse.api.route.MessageRouter;
import io.gatehouse.api.route.RouteTarget;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
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
 * persisted before they take effect) and routes every message with the routes in force.
 */
@Component(service = {MessageRouter.class, EdgeHubConfigurator.class},
        configurationPid = {EdgeHubRouter.PID, "io.gatehouse.hub"})
// bnd refuses @Designate on a component with two PIDs; the OCD's pid attribute designates the router PID instead.
public final class EdgeHubRouter implements MessageRouter, EdgeHubConfigurator {
    static final String PID = "io.gatehouse.router";
    private static final Logger LOG = LoggerFactory.getLogger(EdgeHubRouter.class);

    @ObjectClassDefinition(pid = PID, name = "Gatehouse router",
            description = "Routes of the $edgeHub desired properties and where the last applied ones are kept")
    public @interface Config {
        @AttributeDefinition(description = "Directory holding the last applied $edgeHub desired properties "
                + "(relative paths are relative to the working directory)")
        String stateDirectory() default "data/router";

        @AttributeDefinition(description = "Id of this edge device (PID io.gatehouse.hub); BrokeredEndpoint "
                + "routes name module inputs of this device")
        String deviceId() default "edge1";
    }

    /** Everything in force, swapped as one so a reader never sees half a configuration. */
    private record Active(String json, JsonNode tree, RouteTable table, long timeToLiveSecs) {
    }

    private final Object lock = new Object();
    private final ObjectMapper bodyJson = new ObjectMapper();
    private final EdgeHubConfigParser parser = new EdgeHubConfigParser();
    private final RouteCompiler compiler = new RouteCompiler();
    private final Active none = new Active(null, null, RouteTable.empty(bodyJson), 0);

    private volatile Active active = none;
    private String deviceId;
    private StateFile stateFile;

    @Activate
    void activate(Config config) {
        synchronized (lock) {
            deviceId = config.deviceId();
            stateFile = new StateFile(Path.of(config.stateDirectory()));
            active = none;
            restore();
        }
    }

    @Modified
    void modified(Config config) {
        synchronized (lock) {
            boolean deviceChanged = !config.deviceId().equals(deviceId);
            StateFile newFile = new StateFile(Path.of(config.stateDirectory()));
            boolean directoryChanged = !newFile.path().equals(stateFile.path());
            deviceId = config.deviceId();
            stateFile = newFile;
            Active current = active;
            if (current.json() == null) {
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
                } catch (InvalidConfigurationException e) {
                    LOG.warn("Device id is now {} but the routes did not recompile, keeping them: {}", deviceId, e.getMessage());
                }
            }
        }
    }

    @Deactivate
    void deactivate() {
        active = none;
    }

    @Override
    public List<RouteTarget> route(Message message) {
        return active.table().route(message);
    }

    @Override
    public void apply(String desiredPropertiesJson) throws InvalidConfigurationException {
        synchronized (lock) {
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
        return new Active(json, tree, new RouteTable(routes, bodyJson), config.timeToLiveSecs());
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
        return routes.size() + (routes.size() == 1 ? " route " : " routes ")
                + routes.stream().map(CompiledRoute::name).collect(Collectors.joining(", ", "[", "]"))
                + ", store-and-forward TTL " + (active.timeToLiveSecs() < 0 ? "forever" : active.timeToLiveSecs() + " s");
    }
}
