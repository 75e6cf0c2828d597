package io.gatehouse.itests.osgi;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.gatehouse.api.deployment.EdgeHubConfigurator;
import io.gatehouse.api.identity.Authenticator;
import io.gatehouse.api.identity.IdentityRegistry;
import io.gatehouse.api.route.MessageRouter;
import io.gatehouse.api.store.MessageStore;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.ReferenceDTO;
import org.osgi.service.component.runtime.dto.UnsatisfiedReferenceDTO;

/** The distribution's bundles boot in Felix: everything resolves, starts and wires up. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class FrameworkBootTest extends GatehouseTestSupport {

    private static final String GATEHOUSE = "io.gatehouse.";

    @Test
    public void everyDistributionBundleIsInstalled() {
        File[] jars = new File(System.getProperty("gatehouse.home"), "bundle").listFiles((d, n) -> n.endsWith(".jar"));
        Set<Path> expected = Arrays.stream(jars).map(f -> f.toPath().toAbsolutePath().normalize())
                .collect(Collectors.toCollection(TreeSet::new));
        Set<Path> installed = new TreeSet<>();
        for (Bundle b : context.getBundles()) {
            if (b.getLocation().startsWith("file:")) {
                installed.add(Path.of(URI.create(b.getLocation())).toAbsolutePath().normalize());
            }
        }
        expected.removeAll(installed);
        assertTrue("jars of bundle/ not installed: " + expected, expected.isEmpty());
        assertTrue("no gatehouse bundle in bundle/", Arrays.stream(context.getBundles())
                .anyMatch(b -> b.getSymbolicName() != null && b.getSymbolicName().startsWith(GATEHOUSE)));
    }

    @Test
    public void everyBundleIsActiveAndEveryFragmentResolved() {
        awaitNoProblem(SETTLE_MILLIS, () -> {
            List<String> wrong = new ArrayList<>();
            for (Bundle b : context.getBundles()) {
                boolean fragment = (b.adapt(BundleRevision.class).getTypes() & BundleRevision.TYPE_FRAGMENT) != 0;
                int expected = fragment ? Bundle.RESOLVED : Bundle.ACTIVE;
                if (b.getState() != expected) {
                    wrong.add(b.getSymbolicName() + " " + b.getVersion() + " [" + b.getBundleId() + "] is "
                            + state(b.getState()) + ", expected " + state(expected) + " (" + b.getLocation() + ")"
                            + whyNotResolved(b));
                }
            }
            return wrong.isEmpty() ? null : "bundles not in the expected state:\n  " + String.join("\n  ", wrong);
        });
    }

    @Test
    public void everyGatehouseComponentIsSatisfied() {
        ServiceComponentRuntime scr = service(ServiceComponentRuntime.class);
        Bundle[] gatehouse = Arrays.stream(context.getBundles())
                .filter(b -> b.getSymbolicName() != null && b.getSymbolicName().startsWith(GATEHOUSE))
                .toArray(Bundle[]::new);
        List<String> seen = new ArrayList<>();
        awaitNoProblem(SETTLE_MILLIS, () -> {
            seen.clear();
            List<String> problems = new ArrayList<>();
            for (ComponentDescriptionDTO description : scr.getComponentDescriptionDTOs(gatehouse)) {
                seen.add(description.name);
                String problem = problemOf(scr, description);
                if (problem != null) {
                    problems.add(description.bundle.symbolicName + " / " + description.name + ": " + problem);
                }
            }
            return problems.isEmpty() ? null : "components not satisfied:\n  " + String.join("\n  ", problems);
        });
        System.out.println("[itest] satisfied gatehouse components: " + seen);
        // api has none; every other gatehouse bundle is made of components.
        long bundlesWithComponents = scr.getComponentDescriptionDTOs(gatehouse).stream()
                .map(d -> d.bundle.symbolicName).distinct().count();
        assertEquals("gatehouse bundles with DS components (all but api)", gatehouse.length - 1, bundlesWithComponents);
    }

    @Test
    public void coreServicesAreRegistered() {
        List<Class<?>> services = List.of(MessageRouter.class, MessageStore.class, Authenticator.class,
                IdentityRegistry.class, EdgeHubConfigurator.class);
        awaitNoProblem(SETTLE_MILLIS, () -> {
            List<String> missing = services.stream().filter(s -> context.getServiceReference(s) == null)
                    .map(Class::getName).toList();
            return missing.isEmpty() ? null : "services not registered: " + missing;
        });
    }

    @Test
    public void managementHealthAnswersOnTheLoopbackHttpPort() throws Exception {
        int port = intProperty(GatehouseFramework.HTTP_PORT);
        String[] last = {"no answer yet"};
        awaitNoProblem(SETTLE_MILLIS, () -> {
            try {
                HttpURLConnection http = (HttpURLConnection) new URL("http://127.0.0.1:" + port + "/health").openConnection();
                http.setConnectTimeout(2000);
                http.setReadTimeout(5000);
                int status = http.getResponseCode();
                InputStream in = status < 400 ? http.getInputStream() : http.getErrorStream();
                String body = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
                last[0] = "GET /health answered " + status + ": " + body;
                return status == 200 ? null : last[0];
            } catch (IOException e) {
                return "GET http://127.0.0.1:" + port + "/health failed: " + e;
            }
        });
        System.out.println("[itest] " + last[0]);
    }

    /** Null when the component is satisfied or active, else what keeps it from being so. */
    private static String problemOf(ServiceComponentRuntime scr, ComponentDescriptionDTO description) {
        if (!scr.isComponentEnabled(description)) {
            return "disabled" + (description.defaultEnabled ? "" : " (enabled=false in its description)");
        }
        var configurations = scr.getComponentConfigurationDTOs(description);
        if (configurations.isEmpty()) {
            return "no configuration"
                    + ("require".equals(description.configurationPolicy)
                            ? ", it requires PID(s) " + Arrays.toString(description.configurationPid) : "");
        }
        List<String> problems = new ArrayList<>();
        for (ComponentConfigurationDTO c : configurations) {
            switch (c.state) {
                case ComponentConfigurationDTO.ACTIVE, ComponentConfigurationDTO.SATISFIED -> {
                }
                case ComponentConfigurationDTO.UNSATISFIED_REFERENCE -> {
                    for (UnsatisfiedReferenceDTO r : c.unsatisfiedReferences) {
                        problems.add("unsatisfied reference '" + r.name + "' to " + interfaceOf(description, r.name)
                                + (r.target == null ? "" : " target " + r.target));
                    }
                }
                case ComponentConfigurationDTO.UNSATISFIED_CONFIGURATION ->
                        problems.add("unsatisfied configuration, PID(s) " + Arrays.toString(description.configurationPid));
                case ComponentConfigurationDTO.FAILED_ACTIVATION ->
                        problems.add("activation failed: " + c.failure);
                default -> problems.add("state " + c.state);
            }
        }
        return problems.isEmpty() ? null : String.join("; ", problems);
    }

    private static String interfaceOf(ComponentDescriptionDTO description, String reference) {
        for (ReferenceDTO r : description.references) {
            if (r.name.equals(reference)) return r.interfaceName;
        }
        return "?";
    }

    /** Felix says what is missing only when asked to start the bundle. */
    private static String whyNotResolved(Bundle b) {
        if (b.getState() != Bundle.INSTALLED) return "";
        try {
            b.start();
            return "";
        } catch (BundleException e) {
            return "\n      " + e.getMessage();
        }
    }

    private static String state(int state) {
        return switch (state) {
            case Bundle.UNINSTALLED -> "UNINSTALLED";
            case Bundle.INSTALLED -> "INSTALLED (unresolved)";
            case Bundle.RESOLVED -> "RESOLVED";
            case Bundle.STARTING -> "STARTING";
            case Bundle.STOPPING -> "STOPPING";
            case Bundle.ACTIVE -> "ACTIVE";
            default -> "state " + state;
        };
    }
}
