package io.gatehouse.management.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import org.osgi.framework.Bundle;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.UnsatisfiedReferenceDTO;

/**
 * {@code GET /health}: UP when every bundle is active (fragments resolved) and every enabled DS
 * component is satisfied or active. Two kinds of component are listed but do not make the gateway
 * DOWN, because they are idle by design rather than broken: components that are disabled, and
 * components with configuration policy REQUIRE that have no configuration yet.
 */
public final class HealthCheck {

    /** A bundle as the check sees it. */
    public record BundleView(long id, String symbolicName, int state, boolean fragment) {
    }

    /** A component description, whether it is enabled, and its configurations (none when idle). */
    public record ComponentView(ComponentDescriptionDTO description, boolean enabled,
            Collection<ComponentConfigurationDTO> configurations) {
    }

    private HealthCheck() {
    }

    public static ApiResponse evaluate(List<BundleView> bundles, List<ComponentView> components) {
        JsonNodeFactory json = JsonNodeFactory.instance;
        ArrayNode badBundles = json.arrayNode();
        bundles.stream().sorted(Comparator.comparingLong(BundleView::id)).forEach(b -> {
            int expected = b.fragment() ? Bundle.RESOLVED : Bundle.ACTIVE;
            if (b.state() != expected) {
                ObjectNode node = badBundles.addObject();
                node.put("id", b.id());
                node.put("symbolicName", b.symbolicName());
                node.put("state", bundleState(b.state()));
                node.put("expected", bundleState(expected));
            }
        });

        ArrayNode badComponents = json.arrayNode();
        ArrayNode disabled = json.arrayNode();
        ArrayNode waitingForConfiguration = json.arrayNode();
        components.stream().sorted(Comparator.comparing(c -> c.description().name)).forEach(c -> {
            ComponentDescriptionDTO d = c.description();
            if (!c.enabled()) {
                disabled.add(d.name);
            } else if ("require".equals(d.configurationPolicy) && waitsForConfiguration(c)) {
                waitingForConfiguration.add(d.name);
            } else if (c.configurations().isEmpty()) {
                ObjectNode node = badComponents.addObject();
                node.put("name", d.name);
                node.put("bundle", d.bundle == null ? null : d.bundle.symbolicName);
                node.put("state", "NO_CONFIGURATION");
            } else {
                for (ComponentConfigurationDTO config : c.configurations()) {
                    if (config.state != ComponentConfigurationDTO.ACTIVE
                            && config.state != ComponentConfigurationDTO.SATISFIED) {
                        badComponents.add(describe(d, config));
                    }
                }
            }
        });

        boolean up = badBundles.isEmpty() && badComponents.isEmpty();
        ObjectNode body = json.objectNode();
        body.put("status", up ? "UP" : "DOWN");
        ObjectNode bundleSummary = body.putObject("bundles");
        bundleSummary.put("total", bundles.size());
        bundleSummary.set("notActive", badBundles);
        ObjectNode componentSummary = body.putObject("components");
        componentSummary.put("total", components.size());
        componentSummary.set("notSatisfied", badComponents);
        componentSummary.set("waitingForConfiguration", waitingForConfiguration);
        componentSummary.set("disabled", disabled);
        return new ApiResponse(up ? 200 : 503, body);
    }

    /** SCR reports a REQUIRE component without configuration either with no DTO or with this state. */
    private static boolean waitsForConfiguration(ComponentView c) {
        return c.configurations().stream()
                .allMatch(config -> config.state == ComponentConfigurationDTO.UNSATISFIED_CONFIGURATION);
    }

    private static ObjectNode describe(ComponentDescriptionDTO d, ComponentConfigurationDTO config) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("name", d.name);
        node.put("bundle", d.bundle == null ? null : d.bundle.symbolicName);
        node.put("state", componentState(config.state));
        if (config.failure != null) {
            // First line only: SCR puts the whole stack trace here.
            node.put("failure", config.failure.lines().findFirst().orElse(""));
        }
        if (config.unsatisfiedReferences != null && config.unsatisfiedReferences.length > 0) {
            ArrayNode refs = node.putArray("unsatisfiedReferences");
            for (UnsatisfiedReferenceDTO ref : config.unsatisfiedReferences) {
                ObjectNode r = refs.addObject();
                r.put("name", ref.name);
                r.put("interface", interfaceOf(d, ref.name));
                if (ref.target != null) {
                    r.put("target", ref.target);
                }
            }
        }
        return node;
    }

    private static String interfaceOf(ComponentDescriptionDTO d, String reference) {
        if (d.references != null) {
            for (var ref : d.references) {
                if (reference.equals(ref.name)) return ref.interfaceName;
            }
        }
        return null;
    }

    static String bundleState(int state) {
        switch (state) {
            case Bundle.UNINSTALLED: return "UNINSTALLED";
            case Bundle.INSTALLED: return "INSTALLED";
            case Bundle.RESOLVED: return "RESOLVED";
            case Bundle.STARTING: return "STARTING";
            case Bundle.STOPPING: return "STOPPING";
            case Bundle.ACTIVE: return "ACTIVE";
            default: return "UNKNOWN(" + state + ")";
        }
    }

    static String componentState(int state) {
        switch (state) {
            case ComponentConfigurationDTO.UNSATISFIED_CONFIGURATION: return "UNSATISFIED_CONFIGURATION";
            case ComponentConfigurationDTO.UNSATISFIED_REFERENCE: return "UNSATISFIED_REFERENCE";
            case ComponentConfigurationDTO.SATISFIED: return "SATISFIED";
            case ComponentConfigurationDTO.ACTIVE: return "ACTIVE";
            case ComponentConfigurationDTO.FAILED_ACTIVATION: return "FAILED_ACTIVATION";
            default: return "UNKNOWN(" + state + ")";
        }
    }
}
