package io.gatehouse.supervisor.docker.internal;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.AuthConfig;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.PullResponseItem;
import io.gatehouse.api.module.ModuleEventListener;
import io.gatehouse.api.module.ModuleRuntime;
import io.gatehouse.api.module.ModuleRuntimeException;
import io.gatehouse.api.module.ModuleSpec;
import io.gatehouse.api.module.ModuleState;
import io.gatehouse.api.module.NoSuchModuleException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs modules of type {@code docker} as containers of a Docker engine (or podman's compatible
 * service), one container per module, named as the module. The containers are the state: nothing
 * is kept here but which containers were stopped on request, so that a gateway restart finds its
 * modules again and a bundle stop leaves them running. Containers without our owner label are
 * never listed or touched.
 */
@Component(service = ModuleRuntime.class, configurationPid = DockerModuleRuntime.PID,
        property = ModuleRuntime.TYPE_PROPERTY + "=" + DockerSettings.TYPE)
@Designate(ocd = DockerModuleRuntime.Config.class)
public class DockerModuleRuntime implements ModuleRuntime {

    static final String PID = "io.gatehouse.supervisor.docker";
    /** How long logs() waits for the engine to send a tail. */
    static final Duration LOGS_TIMEOUT = Duration.ofSeconds(30);

    @ObjectClassDefinition(name = "Gatehouse Docker supervisor",
            description = "Runs deployment modules of type 'docker' as containers of a Docker engine")
    public @interface Config {
        @AttributeDefinition(description = "The engine's API address: unix:///path/to.sock or tcp://host:port"
                + " (plain, no TLS). Podman's Docker-compatible socket works too")
        String dockerHost() default "unix:///var/run/docker.sock";

        @AttributeDefinition(description = "Seconds remove() gives a running container to stop before it is killed")
        int stopTimeoutSecs() default 10;

        @AttributeDefinition(description = "Seconds an image pull may take before create() gives up")
        int pullTimeoutSecs() default 600;
    }

    private static final Logger LOG = LoggerFactory.getLogger(DockerModuleRuntime.class);

    private final RuntimeConfig config;
    private final DockerEngine engine;
    private final ExitEventStream events;
    private final List<ModuleEventListener> listeners = new CopyOnWriteArrayList<>();
    /** Ids of containers whose last exit we asked for: they are STOPPED whatever their exit code. */
    private final Set<String> stoppedOnRequest = ConcurrentHashMap.newKeySet();
    /** Serialises what changes one module; calls about other modules never wait. */
    private final Map<String, Object> moduleLocks = new ConcurrentHashMap<>();

    @Activate
    public DockerModuleRuntime(Config config) {
        this.config = RuntimeConfig.of(config);
        this.engine = new DockerEngine(this.config.dockerHost());
        // the engine is not asked anything here: an absent engine must not keep this component down
        this.events = new ExitEventStream(engine, this::containerExited, Instant.now());
        events.start();
        LOG.info("Docker supervisor: engine at {}", this.config.dockerHost());
    }

    @Deactivate
    void deactivate() {
        // containers keep running: they are the modules' state, which the next activation finds again
        events.close();
        engine.close();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addListener(ModuleEventListener listener) {
        listeners.add(listener);
    }

    void removeListener(ModuleEventListener listener) {
        listeners.remove(listener);
    }

    @Override
    public String type() {
        return DockerSettings.TYPE;
    }

    @Override
    public void create(ModuleSpec spec) throws ModuleRuntimeException {
        Objects.requireNonNull(spec, "spec");
        DockerSettings settings = DockerSettings.of(spec);
        String name = spec.name();
        // filled, not sent: a createOptions value of the wrong form is refused before the engine is asked
        CreateContainerCmd command = engine.createCommand(settings.image().reference());
        List<String> ignored = CreateOptions.applyTo(command, spec, settings);
        synchronized (lock(name)) {
            String action = "creating module '" + name + "'";
            InspectContainerResponse existing = inspect(action, name);
            if (existing != null) {
                if (!ModuleLabels.isOurs(labels(existing))) throw notOurs(name);
                if (isActive(existing)) {
                    throw new ModuleRuntimeException("module '" + name + "' is " + existing.getState().getStatus()
                            + "; stop it before replacing it");
                }
            }
            ensureImage(name, settings);
            if (!ignored.isEmpty()) {
                LOG.warn("Module {}: createOptions properties not known to this runtime were left out: {}", name,
                        ignored);
            }
            String replacedName = null;
            if (existing != null) {
                // kept aside until the new container exists, so a refused create leaves the old one as it was
                replacedName = name + "-replaced-" + existing.getId().substring(0, 12);
                String aside = replacedName;
                engine.call(action, client -> {
                    client.renameContainerCmd(existing.getId()).withName(aside).exec();
                    return null;
                });
            }
            String id;
            try {
                id = engine.call(action, client -> command.exec().getId());
            } catch (ModuleRuntimeException e) {
                if (existing != null) {
                    try {
                        engine.call(action, client -> {
                            client.renameContainerCmd(existing.getId()).withName(name).exec();
                            return null;
                        });
                    } catch (ModuleRuntimeException back) {
                        LOG.error("Module {}: the replaced container {} could not be given its name back: {}", name,
                                existing.getId(), back.getMessage());
                    }
                }
                throw e;
            }
            if (existing != null) {
                stoppedOnRequest.remove(existing.getId());
                try {
                    removeContainer(action, existing.getId());
                } catch (ModuleRuntimeException e) {
                    LOG.warn("Module {}: the replaced container {} could not be removed: {}", name, replacedName,
                            e.getMessage());
                }
            }
            LOG.info("Module {} {} from image {} (container {})", name, existing != null ? "replaced" : "created",
                    settings.image(), id.substring(0, Math.min(12, id.length())));
        }
    }

    @Override
    public void start(String name) throws ModuleRuntimeException {
        DockerSettings.checkName(name);
        synchronized (lock(name)) {
            InspectContainerResponse container = require("starting module '" + name + "'", name);
            if (isActive(container)) return;
            stoppedOnRequest.remove(container.getId());
            engine.call("starting module '" + name + "'", client -> {
                try {
                    client.startContainerCmd(container.getId()).exec();
                } catch (NotModifiedException alreadyRunning) {
                    // started meanwhile by someone else: what was asked holds
                }
                return null;
            });
            LOG.info("Module {} started", name);
        }
    }

    @Override
    public void stop(String name, Duration timeout) throws ModuleRuntimeException {
        DockerSettings.checkName(name);
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) throw new ModuleRuntimeException("the stop timeout must not be negative");
        synchronized (lock(name)) {
            InspectContainerResponse container = require("stopping module '" + name + "'", name);
            if (!isActive(container)) return;
            stop(name, container.getId(), timeout);
        }
    }

    private void stop(String name, String id, Duration timeout) throws ModuleRuntimeException {
        stoppedOnRequest.add(id);
        int seconds = (int) Math.min(Integer.MAX_VALUE, (timeout.toMillis() + 999) / 1000);
        engine.call("stopping module '" + name + "'", client -> {
            try {
                client.stopContainerCmd(id).withTimeout(seconds).exec();
            } catch (NotModifiedException alreadyStopped) {
                // exited meanwhile: stopped is what was asked
            }
            return null;
        });
        LOG.info("Module {} stopped", name);
    }

    @Override
    public void remove(String name) throws ModuleRuntimeException {
        DockerSettings.checkName(name);
        synchronized (lock(name)) {
            String action = "removing module '" + name + "'";
            InspectContainerResponse container = inspect(action, name);
            if (container == null) return;
            if (!ModuleLabels.isOurs(labels(container))) throw notOurs(name);
            if (isActive(container)) stop(name, container.getId(), Duration.ofSeconds(config.stopTimeoutSecs()));
            removeContainer(action, container.getId());
            stoppedOnRequest.remove(container.getId());
            LOG.info("Module {} removed", name);
        }
    }

    @Override
    public List<ModuleState> modules() {
        List<ModuleState> states = new ArrayList<>();
        try {
            List<Container> containers = engine.call("listing the docker modules", client -> client
                    .listContainersCmd()
                    .withShowAll(true)
                    .withLabelFilter(Map.of(ModuleLabels.OWNER, ModuleLabels.OWNER_VALUE))
                    .exec());
            for (Container container : containers) {
                String name = nameOf(container.getNames());
                if (name == null) continue;
                InspectContainerResponse inspect = inspect("listing the docker modules", name);
                // removed since it was listed, or the name is now someone else's
                if (inspect == null || !ModuleLabels.isOurs(labels(inspect))) continue;
                states.add(state(name, inspect));
            }
        } catch (ModuleRuntimeException e) {
            // "none" would be a lie the agent acts on (it would create them again): it cannot tell
            throw new IllegalStateException(e.getMessage(), e);
        }
        states.sort(Comparator.comparing(ModuleState::name));
        return states;
    }

    @Override
    public Optional<ModuleState> module(String name) {
        if (name == null) return Optional.empty();
        try {
            DockerSettings.checkName(name);
            InspectContainerResponse inspect = inspect("looking up module '" + name + "'", name);
            if (inspect == null || !ModuleLabels.isOurs(labels(inspect))) return Optional.empty();
            return Optional.of(state(name, inspect));
        } catch (ModuleRuntimeException e) {
            LOG.debug("Looking up docker module {} failed: {}", name, e.getMessage());
            return Optional.empty();
        }
    }

    @Override
    public List<String> logs(String name, int tail) throws ModuleRuntimeException {
        DockerSettings.checkName(name);
        if (tail < 0) throw new ModuleRuntimeException("tail must not be negative, was " + tail);
        String action = "reading the logs of module '" + name + "'";
        InspectContainerResponse container = require(action, name);
        if (tail == 0) return List.of();
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        engine.call(action, client -> {
            QuietCallback<Frame> callback = client.logContainerCmd(container.getId())
                    .withStdOut(true)
                    .withStdErr(true)
                    .withTail(tail)
                    .exec(new QuietCallback<>() {
                        @Override
                        public void onNext(Frame frame) {
                            synchronized (output) {
                                output.writeBytes(frame.getPayload());
                            }
                        }
                    });
            try {
                if (!callback.awaitEnd(LOGS_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                    throw new ModuleRuntimeException(action + ": the Docker engine sent no end of the logs within "
                            + LOGS_TIMEOUT.toSeconds() + " s");
                }
                callback.throwFailure();
            } finally {
                callback.close();
            }
            return null;
        });
        String text;
        synchronized (output) {
            text = output.toString(StandardCharsets.UTF_8);
        }
        List<String> lines = new ArrayList<>();
        for (String line : text.split("\n", -1)) {
            // a container with a TTY writes CRLF
            lines.add(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
        }
        if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) lines.remove(lines.size() - 1);
        return lines.size() > tail ? List.copyOf(lines.subList(lines.size() - tail, lines.size()))
                : List.copyOf(lines);
    }

    /** Pulls the image if the policy says so and it is not here; never pulls what is here already. */
    private void ensureImage(String name, DockerSettings settings) throws ModuleRuntimeException {
        ImageReference image = settings.image();
        String action = "creating module '" + name + "'";
        boolean present = engine.call(action, client -> {
            try {
                client.inspectImageCmd(image.reference()).exec();
                return true;
            } catch (NotFoundException e) {
                return false;
            }
        });
        if (present) return;
        if (settings.pullPolicy() == ImagePullPolicy.NEVER) {
            throw new ModuleRuntimeException("module '" + name + "': image " + image + " is not on this gateway and"
                    + " imagePullPolicy is 'never'; load it (docker load / docker pull) or allow pulling with"
                    + " 'on-create'");
        }
        RegistryCredential credential = settings.credentialForImage();
        LOG.info("Module {}: pulling image {}{}", name, image,
                credential == null ? "" : " as " + credential.username() + " (credential '" + credential.name() + "')");
        String pulling = "module '" + name + "': pulling image " + image;
        engine.call(pulling, client -> {
            var pull = client.pullImageCmd(image.repository()).withTag(image.tagOrDigest());
            if (credential != null) {
                pull.withAuthConfig(new AuthConfig()
                        .withUsername(credential.username())
                        .withPassword(credential.password())
                        .withRegistryAddress(credential.address()));
            }
            PullProgress progress = pull.exec(new PullProgress());
            try {
                if (!progress.awaitEnd(config.pullTimeoutSecs(), TimeUnit.SECONDS)) {
                    throw new ModuleRuntimeException(pulling + " took longer than " + config.pullTimeoutSecs()
                            + " s (pullTimeoutSecs)");
                }
                progress.throwFailure();
            } finally {
                progress.close();
            }
            if (progress.error != null) throw new ModuleRuntimeException(pulling + ": " + progress.error);
            try {
                // the progress stream's last word is not a reliable verdict; the image being here is
                client.inspectImageCmd(image.reference()).exec();
            } catch (NotFoundException e) {
                throw new ModuleRuntimeException(pulling + ": the engine reported no error, yet the image is not"
                        + " here afterwards");
            }
            return null;
        });
        LOG.info("Module {}: image {} pulled", name, image);
    }

    /** Keeps the first error a pull reports in its progress stream. */
    private static final class PullProgress extends QuietCallback<PullResponseItem> {
        volatile String error;

        @Override
        public void onNext(PullResponseItem item) {
            if (error != null) return;
            if (item.getErrorDetail() != null && item.getErrorDetail().getMessage() != null) {
                error = item.getErrorDetail().getMessage();
            } else if (item.getError() != null) {
                error = item.getError();
            }
        }
    }

    /** Runs on the event stream's thread. */
    private void containerExited(String containerId, String name, int exitCode) {
        LOG.info("Module {} exited with code {}{}", name, exitCode,
                stoppedOnRequest.contains(containerId) ? " (stopped)" : "");
        for (ModuleEventListener listener : listeners) {
            try {
                listener.moduleExited(DockerSettings.TYPE, name, exitCode);
            } catch (RuntimeException e) {
                LOG.warn("A module event listener failed on the exit of {}", name, e);
            }
        }
    }

    private ModuleState state(String name, InspectContainerResponse inspect) {
        return ContainerStates.of(name, inspect, stoppedOnRequest.contains(inspect.getId()));
    }

    /** The container of that name, or null; never one that merely has an id starting with the name. */
    private InspectContainerResponse inspect(String action, String name) throws ModuleRuntimeException {
        return engine.call(action, client -> {
            try {
                InspectContainerResponse inspect = client.inspectContainerCmd(name).exec();
                return ("/" + name).equals(inspect.getName()) ? inspect : null;
            } catch (NotFoundException e) {
                return null;
            }
        });
    }

    private InspectContainerResponse require(String action, String name) throws ModuleRuntimeException {
        InspectContainerResponse container = inspect(action, name);
        if (container == null) throw new NoSuchModuleException(name);
        if (!ModuleLabels.isOurs(labels(container))) throw notOurs(name);
        return container;
    }

    private void removeContainer(String action, String id) throws ModuleRuntimeException {
        engine.call(action, client -> {
            try {
                client.removeContainerCmd(id).withForce(true).exec();
            } catch (NotFoundException gone) {
                // removed meanwhile: gone is what was asked
            }
            return null;
        });
    }

    private Object lock(String name) {
        return moduleLocks.computeIfAbsent(name, n -> new Object());
    }

    private static ModuleRuntimeException notOurs(String name) {
        return new ModuleRuntimeException("a container named '" + name + "' exists but Gatehouse did not create it"
                + " (it lacks the label " + ModuleLabels.OWNER + "=" + ModuleLabels.OWNER_VALUE + "); rename or"
                + " remove it, or give the module another name");
    }

    private static boolean isActive(InspectContainerResponse container) {
        String status = container.getState() == null ? null : container.getState().getStatus();
        return "running".equals(status) || "paused".equals(status) || "restarting".equals(status);
    }

    private static Map<String, String> labels(InspectContainerResponse container) {
        return container.getConfig() == null || container.getConfig().getLabels() == null ? Map.of()
                : container.getConfig().getLabels();
    }

    /** docker ps names a container "/name" (and "/other/alias" for legacy links). */
    private static String nameOf(String[] names) {
        if (names == null) return null;
        for (String n : names) {
            if (n != null && n.startsWith("/") && n.indexOf('/', 1) < 0) return n.substring(1);
        }
        return null;
    }

    /** The configuration, checked once. */
    record RuntimeConfig(String dockerHost, int stopTimeoutSecs, int pullTimeoutSecs) {

        static RuntimeConfig of(Config config) {
            String host = config.dockerHost() == null ? "" : config.dockerHost().strip();
            if (!host.startsWith("unix:///") && !host.startsWith("tcp://")) {
                throw new IllegalArgumentException("configuration " + PID + ": 'dockerHost' must be unix:///path or"
                        + " tcp://host:port, was '" + host + "'");
            }
            if (config.stopTimeoutSecs() < 0) {
                throw new IllegalArgumentException("configuration " + PID + ": 'stopTimeoutSecs' must not be"
                        + " negative, was " + config.stopTimeoutSecs());
            }
            if (config.pullTimeoutSecs() < 1) {
                throw new IllegalArgumentException("configuration " + PID + ": 'pullTimeoutSecs' must be at least 1,"
                        + " was " + config.pullTimeoutSecs());
            }
            return new RuntimeConfig(host, config.stopTimeoutSecs(), config.pullTimeoutSecs());
        }
    }
}
