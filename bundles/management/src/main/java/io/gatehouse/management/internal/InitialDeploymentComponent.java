package io.gatehouse.management.internal;

import io.gatehouse.api.deployment.EdgeAgentConfigurator;
import io.gatehouse.api.deployment.EdgeHubConfigurator;
import io.gatehouse.api.twin.TwinStore;
import java.io.IOException;
import java.nio.file.Path;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link InitialDeployment} whenever a configurator comes (at start, and again after the
 * bundle that provides it was updated: a configurator that lost its state then gets the file again).
 * The reference is static on purpose: re-activation is exactly the re-check wanted.
 */
@Component(configurationPid = {"io.gatehouse.management", "io.gatehouse.hub"})
// bnd refuses @Designate on a component with two PIDs; the OCD's pid attribute designates the management PID instead.
public class InitialDeploymentComponent {
    private static final Logger LOG = LoggerFactory.getLogger(InitialDeploymentComponent.class);

    @ObjectClassDefinition(pid = "io.gatehouse.management", name = "Gatehouse management",
            description = "Management API of the gateway: initial deployment and state.")
    public @interface Config {
        @AttributeDefinition(description = "Deployment manifest applied at start when it changed since it was "
                + "last applied, or when the gateway has no configuration at all")
        String initialDeployment() default "etc/deployment.json";

        @AttributeDefinition(description = "Directory for the management bundle's state (the digest of the "
                + "last applied initial deployment)")
        String stateDirectory() default "data/management";
    }

    @Reference
    private EdgeHubConfigurator configurator;

    // Static and greedy: when the agent arrives the component is activated again, and a file whose
    // modules waited for it is applied then.
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policyOption = ReferencePolicyOption.GREEDY)
    private EdgeAgentConfigurator agent;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policyOption = ReferencePolicyOption.GREEDY)
    private TwinStore twins;

    @Activate
    void activate(Config config, HubSettings hub) {
        InitialDeployment initial = new InitialDeployment(Path.of(config.initialDeployment()),
                Path.of(config.stateDirectory()), JsonBodies.newMapper());
        try {
            initial.applyIfNeeded(configurator, agent, twins == null ? null : new ModuleTwins(twins, hub.deviceId()));
        } catch (IOException | RuntimeException e) {
            // The gateway keeps running on what it had; the next start tries again.
            LOG.error("Could not apply initial deployment {}: {}", config.initialDeployment(), e.toString());
        }
    }
}
