package io.gatehouse.supervisor.bundle.internal;

import io.gatehouse.api.module.ModuleEventListener;
import io.gatehouse.api.module.ModuleRuntime;
import io.gatehouse.api.module.ModuleRuntimeException;
import io.gatehouse.api.module.ModuleSpec;
import io.gatehouse.api.module.ModuleState;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs modules of type {@code bundle} as OSGi bundles in the gateway's own framework. The work
 * is done by {@link BundleSupervisor}; this component gives it the bundle context, the
 * configuration and the event listeners.
 */
@Component(service = ModuleRuntime.class, configurationPid = BundleModuleRuntime.PID,
        property = ModuleRuntime.TYPE_PROPERTY + "=" + BundleSettings.TYPE)
@Designate(ocd = BundleModuleRuntime.Config.class)
public class BundleModuleRuntime implements ModuleRuntime {

    static final String PID = "io.gatehouse.supervisor.bundle";

    @ObjectClassDefinition(name = "Gatehouse bundle supervisor",
            description = "Runs deployment modules of type 'bundle' as OSGi bundles in this framework")
    public @interface Config {
        @AttributeDefinition(description = "Maven local repository searched first for mvn: locations;"
                + " empty for none. ${user.home} is expanded")
        String localRepository() default "${user.home}/.m2/repository";

        @AttributeDefinition(description = "Remote Maven repositories (http/https) tried in order for mvn:"
                + " locations; none means offline")
        String[] repositories() default {"https://repo1.maven.org/maven2"};

        @AttributeDefinition(description = "Directory holding downloaded artifacts and the modules' records")
        String cacheDirectory() default "data/bundles";

        @AttributeDefinition(description = "Seconds to wait for a repository or URL to answer")
        int downloadTimeoutSeconds() default 60;
    }

    private static final Logger LOG = LoggerFactory.getLogger(BundleModuleRuntime.class);

    private final BundleSupervisor supervisor;

    @Activate
    public BundleModuleRuntime(BundleContext context, Config config) {
        SupervisorSettings settings = SupervisorSettings.of(config);
        this.supervisor = new BundleSupervisor(context, settings);
        LOG.info("Bundle supervisor: cache in {}, {}", settings.cacheDirectory().toAbsolutePath(),
                settings.repositories().isEmpty() ? "offline" : settings.repositories().size() + " remote repositories");
    }

    @Modified
    void modified(Config config) {
        supervisor.configure(SupervisorSettings.of(config));
    }

    @Deactivate
    void deactivate() {
        supervisor.close();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addListener(ModuleEventListener listener) {
        supervisor.addListener(listener);
    }

    void removeListener(ModuleEventListener listener) {
        supervisor.removeListener(listener);
    }

    @Override
    public String type() {
        return supervisor.type();
    }

    @Override
    public void create(ModuleSpec spec) throws ModuleRuntimeException {
        supervisor.create(spec);
    }

    @Override
    public void start(String name) throws ModuleRuntimeException {
        supervisor.start(name);
    }

    @Override
    public void stop(String name, Duration timeout) throws ModuleRuntimeException {
        supervisor.stop(name, timeout);
    }

    @Override
    public void remove(String name) throws ModuleRuntimeException {
        supervisor.remove(name);
    }

    @Override
    public List<ModuleState> modules() {
        return supervisor.modules();
    }

    @Override
    public Optional<ModuleState> module(String name) {
        return supervisor.module(name);
    }

    @Override
    public List<String> logs(String name, int tail) throws ModuleRuntimeException {
        return supervisor.logs(name, tail);
    }
}
