package io.gatehouse.itests.osgi;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.api.agent.EdgeAgentOperations;
import io.gatehouse.api.deployment.EdgeAgentConfigurator;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;

/**
 * A module of type {@code bundle} in the real framework: the agent installs and starts it from a
 * deployment, updates it in place to a new version, and uninstalls it when the deployment drops it,
 * reporting its state like any module.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class BundleModuleTest extends GatehouseTestSupport {
    private static final String SYMBOLIC_NAME = "io.gatehouse.itests.plugin";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    public void aBundleModuleIsInstalledUpdatedAndRemoved() throws Exception {
        EdgeAgentConfigurator agent = service(EdgeAgentConfigurator.class);
        Path dir = Files.createTempDirectory("bundle-module");
        Path v1 = writeBundle(dir.resolve("plugin-1.jar"), "1.0.0");
        Path v2 = writeBundle(dir.resolve("plugin-2.jar"), "2.0.0");

        agent.apply(manifest("1.0", v1.toString()));
        awaitNoProblem(SETTLE_MILLIS, () -> problem("1.0.0", "running"));
        long id = installed().getBundleId();

        agent.apply(manifest("2.0", v2.toUri().toString()));
        awaitNoProblem(SETTLE_MILLIS, () -> problem("2.0.0", "running"));
        assertEquals("updated in place, not installed anew", id, installed().getBundleId());

        agent.apply("{\"schemaVersion\":\"1.1\",\"systemModules\":{},\"modules\":{}}");
        awaitNoProblem(SETTLE_MILLIS, () -> installed() != null ? "the plugin bundle is still installed"
                : reported().has("plugin") ? "the agent still reports the plugin" : null);
        assertNull(installed());
    }

    /** Null once the plugin is ACTIVE at this version and the agent reports it with this status. */
    private String problem(String version, String runtimeStatus) {
        Bundle b = installed();
        if (b == null) return "the plugin bundle is not installed";
        if (b.getState() != Bundle.ACTIVE) return "the plugin bundle is in state " + b.getState();
        if (!b.getVersion().toString().equals(version)) return "the plugin bundle is at version " + b.getVersion();
        JsonNode plugin = reported().path("plugin");
        if (!runtimeStatus.equals(plugin.path("runtimeStatus").asText())) return "the agent reports " + plugin;
        return null;
    }

    private JsonNode reported() {
        try {
            return JSON.readTree(service(EdgeAgentOperations.class).reportedProperties()).path("modules");
        } catch (IOException e) {
            throw new AssertionError("the agent reported invalid JSON", e);
        }
    }

    private Bundle installed() {
        for (Bundle b : context.getBundles()) {
            if (SYMBOLIC_NAME.equals(b.getSymbolicName())) return b;
        }
        return null;
    }

    private static String manifest(String version, String location) {
        return "{\"schemaVersion\":\"1.1\",\"systemModules\":{},\"modules\":{\"plugin\":{\"type\":\"bundle\","
                + "\"status\":\"running\",\"restartPolicy\":\"always\",\"version\":\"" + version + "\","
                + "\"settings\":{\"location\":" + JSON.valueToTree(location) + "}}}}";
    }

    private static Path writeBundle(Path jar, String version) throws IOException {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Bundle-ManifestVersion", "2");
        main.putValue("Bundle-SymbolicName", SYMBOLIC_NAME);
        main.putValue("Bundle-Version", version);
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, manifest)) {
            j.flush();
        }
        return jar;
    }
}
