package io.gatehouse.supervisor.docker.internal;

import static io.gatehouse.supervisor.docker.internal.Eventually.await;
import static io.gatehouse.supervisor.docker.internal.RequiresDocker.IMAGE;
import static io.gatehouse.supervisor.docker.internal.RequiresDocker.client;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import io.gatehouse.api.module.ModuleRuntimeException;
import io.gatehouse.api.module.ModuleSpec;
import io.gatehouse.api.module.ModuleState;
import io.gatehouse.api.module.NoSuchModuleException;
import io.gatehouse.api.module.RuntimeStatus;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RequiresDocker.class)
class DockerModuleRuntimeTest {

    private static final Duration WAIT = Duration.ofSeconds(15);

    private DockerModuleRuntime runtime;
    private final List<String> exits = new CopyOnWriteArrayList<>();

    @BeforeEach
    void activate() {
        RequiresDocker.removeTestContainers();
        runtime = new DockerModuleRuntime(Configs.of(DockerModuleRuntime.Config.class,
                Map.of("dockerHost", RequiresDocker.HOST, "stopTimeoutSecs", 1)));
        // a failing listener must not keep the others from being told
        runtime.addListener((type, name, code) -> {
            throw new IllegalStateException("listener failure (expected by the test)");
        });
        runtime.addListener((type, name, code) -> exits.add(type + ":" + name + ":" + code));
    }

    @AfterEach
    void deactivate() {
        runtime.deactivate();
        RequiresDocker.removeTestContainers();
    }

    private static ModuleSpec spec(String name, String version, Map<String, String> env, String createOptions,
            Map<String, Object> more) {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("image", IMAGE);
        if (createOptions != null) settings.put("createOptions", createOptions);
        settings.putAll(more);
        return new ModuleSpec(name, "docker", version, env, settings);
    }

    private static ModuleSpec sh(String name, String script) {
        return spec(name, "1", Map.of(), "{\"Cmd\": [\"sh\", \"-c\", \"" + script + "\"]}", Map.of());
    }

    private ModuleState state(String name) {
        return runtime.module(name).orElseThrow(() -> new AssertionError("no module " + name));
    }

    private ModuleState awaitExit(String name) throws InterruptedException {
        await(name + " exits", WAIT, () -> runtime.module(name)
                .map(s -> s.status() == RuntimeStatus.STOPPED || s.status() == RuntimeStatus.FAILED).orElse(false));
        return state(name);
    }

    private static boolean exists(String name) {
        try {
            client().inspectContainerCmd(name).exec();
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    @Test
    void runsAContainerFromCreateToRemove() throws Exception {
        String name = "gh-test-life";
        ModuleSpec spec = spec(name, "1.4", Map.of("GREETING", "from-spec", "SHARED", "spec"), """
                {"Cmd": ["sh", "-c", "echo hello $GREETING $SHARED $FROM_OPTIONS in $(pwd); exec sleep 600"],
                 "Env": ["FROM_OPTIONS=options", "SHARED=options"],
                 "Labels": {"com.example.line": "3"},
                 "WorkingDir": "/bin",
                 "HostConfig": {"Memory": 67108864}}
                """, Map.of());

        runtime.create(spec);

        ModuleState created = state(name);
        assertThat(created.status()).isEqualTo(RuntimeStatus.UNKNOWN);
        assertThat(created.version()).isEqualTo("1.4");
        assertThat(created.exitCode()).isNull();
        assertThat(created.lastStartTime()).isNull();
        InspectContainerResponse inspect = client().inspectContainerCmd(name).exec();
        assertThat(inspect.getConfig().getLabels())
                .containsEntry("net.azure-devices.edge.owner", "gatehouse")
                .containsEntry("net.azure-devices.edge.version", "1.4")
                .containsEntry("net.azure-devices.edge.env", "GREETING,SHARED")
                .containsEntry("com.example.line", "3");
        assertThat(inspect.getConfig().getEnv()).contains("SHARED=spec", "FROM_OPTIONS=options", "GREETING=from-spec")
                .doesNotContain("SHARED=options");
        assertThat(inspect.getHostConfig().getMemory()).isEqualTo(67108864L);
        assertThat(runtime.modules()).extracting(ModuleState::name).contains(name);

        runtime.start(name);

        assertThat(state(name).status()).isEqualTo(RuntimeStatus.RUNNING);
        assertThat(state(name).lastStartTime()).isNotNull();
        await("the greeting in the logs", WAIT, () -> logs(name).contains("hello from-spec spec options in /bin"));
        runtime.start(name); // starting a running module changes nothing
        assertThat(state(name).status()).isEqualTo(RuntimeStatus.RUNNING);

        // sleep as PID 1 ignores SIGTERM: the engine kills it after the timeout, and it still counts as stopped
        runtime.stop(name, Duration.ofSeconds(1));

        ModuleState stopped = state(name);
        assertThat(stopped.status()).isEqualTo(RuntimeStatus.STOPPED);
        assertThat(stopped.exitCode()).isEqualTo(137);
        assertThat(stopped.lastExitTime()).isAfterOrEqualTo(stopped.lastStartTime());
        assertThat(stopped.statusDescription()).contains("stopped on request");
        await("the exit event", WAIT, () -> exits.contains("docker:" + name + ":137"));
        runtime.stop(name, Duration.ofSeconds(1)); // stopping a stopped module changes nothing
        assertThat(logs(name)).contains("hello from-spec spec options in /bin");

        runtime.remove(name);

        assertThat(runtime.module(name)).isEmpty();
        assertThat(runtime.modules()).extracting(ModuleState::name).doesNotContain(name);
        assertThat(exists(name)).isFalse();
        runtime.remove(name); // removing what is gone changes nothing
        assertThatThrownBy(() -> runtime.start(name)).isInstanceOf(NoSuchModuleException.class);
    }

    private List<String> logs(String name) {
        try {
            return runtime.logs(name, 100);
        } catch (ModuleRuntimeException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aContainerThatExitsWithThreeHasFailed() throws Exception {
        String name = "gh-test-three";
        runtime.create(sh(name, "echo one; sleep 0.3; echo two >&2; sleep 0.3; echo three; exit 3"));
        runtime.start(name);

        ModuleState failed = awaitExit(name);

        assertThat(failed.status()).isEqualTo(RuntimeStatus.FAILED);
        assertThat(failed.exitCode()).isEqualTo(3);
        assertThat(failed.lastExitTime()).isNotNull();
        assertThat(failed.statusDescription()).contains("exited with code 3");
        await("the exit event", WAIT, () -> exits.contains("docker:" + name + ":3"));
        // output and errors, in the order written, the last lines only
        assertThat(runtime.logs(name, 2)).containsExactly("two", "three");
        assertThat(runtime.logs(name, 10)).containsExactly("one", "two", "three");
        assertThat(runtime.logs(name, 0)).isEmpty();
        assertThatThrownBy(() -> runtime.logs(name, -1)).isInstanceOf(ModuleRuntimeException.class);
    }

    @Test
    void aContainerThatExitsWithZeroHasStopped() throws Exception {
        String name = "gh-test-zero";
        runtime.create(sh(name, "exit 0"));
        runtime.start(name);

        ModuleState stopped = awaitExit(name);

        assertThat(stopped.status()).isEqualTo(RuntimeStatus.STOPPED);
        assertThat(stopped.exitCode()).isZero();
        await("the exit event", WAIT, () -> exits.contains("docker:" + name + ":0"));
    }

    @Test
    void aContainerTheEngineCannotStartHasFailedWithTheReason() throws Exception {
        String name = "gh-test-nostart";
        runtime.create(spec(name, "1", Map.of(), "{\"Cmd\": [\"/no/such/program\"]}", Map.of()));

        assertThatThrownBy(() -> runtime.start(name))
                .isInstanceOf(ModuleRuntimeException.class)
                .hasMessageContaining("starting module 'gh-test-nostart': the Docker engine answered")
                .hasMessageContaining("/no/such/program");

        ModuleState failed = state(name);
        assertThat(failed.status()).isEqualTo(RuntimeStatus.FAILED);
        assertThat(failed.statusDescription()).contains("/no/such/program");
    }

    @Test
    void aStoppedModuleIsReplacedButARunningOneIsNot() throws Exception {
        String name = "gh-test-replace";
        runtime.create(spec(name, "1", Map.of(), "{\"Cmd\": [\"sleep\", \"600\"]}", Map.of()));
        runtime.start(name);
        String firstId = client().inspectContainerCmd(name).exec().getId();

        assertThatThrownBy(() -> runtime.create(spec(name, "2", Map.of(), null, Map.of())))
                .isInstanceOf(ModuleRuntimeException.class)
                .hasMessageContaining("is running; stop it before replacing it");
        assertThat(state(name).status()).isEqualTo(RuntimeStatus.RUNNING);
        assertThat(state(name).version()).isEqualTo("1");

        runtime.stop(name, Duration.ofSeconds(1));
        runtime.create(spec(name, "2", Map.of(), "{\"Cmd\": [\"echo\", \"second\"]}", Map.of()));

        assertThat(state(name).version()).isEqualTo("2");
        assertThat(state(name).status()).isEqualTo(RuntimeStatus.UNKNOWN);
        assertThat(client().inspectContainerCmd(name).exec().getId()).isNotEqualTo(firstId);
        assertThat(exists(firstId)).isFalse();
        assertThat(runtime.modules()).extracting(ModuleState::name).containsOnlyOnce(name);
    }

    @Test
    void aBadCreateOptionsValueIsRefusedWithoutItsValueAndNothingChanges() throws Exception {
        String name = "gh-test-bad";
        runtime.create(spec(name, "1", Map.of(), "{\"Cmd\": [\"true\"]}", Map.of()));
        String id = client().inspectContainerCmd(name).exec().getId();

        assertThatThrownBy(() -> runtime.create(spec(name, "2", Map.of(), "{\"Env\": \"TOKEN=topsecret\"}",
                Map.of())))
                .isInstanceOf(ModuleRuntimeException.class)
                .hasMessageContaining("settings.createOptions.Env")
                .hasMessageNotContaining("topsecret");
        assertThatThrownBy(() -> runtime.create(spec(name, "2", Map.of(), "{\"Env\": [\"TOKEN=topsecret\" oops",
                Map.of())))
                .isInstanceOf(ModuleRuntimeException.class)
                .hasMessageContaining("not valid JSON")
                .hasMessageNotContaining("topsecret");
        assertThatThrownBy(() -> runtime.create(spec(name, "2", Map.of(),
                "{\"HostConfig\": {\"Mounts\": [{\"Type\": \"no-such-type\", \"Target\": \"/x\"}]}}", Map.of())))
                .isInstanceOf(ModuleRuntimeException.class)
                .hasMessageContaining("settings.createOptions.HostConfig.Mounts[0].Type");
        // the engine refuses this one (below its minimum memory): the old container is back under its name
        assertThatThrownBy(() -> runtime.create(spec(name, "2", Map.of(), "{\"HostConfig\": {\"Memory\": 1024}}",
                Map.of())))
                .isInstanceOf(ModuleRuntimeException.class)
                .hasMessageContaining("the Docker engine answered")
                .hasMessageContaining("emory");

        assertThat(client().inspectContainerCmd(name).exec().getId()).isEqualTo(id);
        assertThat(state(name).version()).isEqualTo("1");
    }

    @Test
    void pullPolicyNeverWithAnAbsentImageIsRefusedAndCreatesNothing() {
        String name = "gh-test-never";
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("image", "gatehouse-test/absent:1");
        settings.put("imagePullPolicy", "never");
        ModuleSpec spec = new ModuleSpec(name, "docker", "1", Map.of(), settings);

        assertThatThrownBy(() -> runtime.create(spec))
                .isInstanceOf(ModuleRuntimeException.class)
                .hasMessageContaining("image gatehouse-test/absent:1 is not on this gateway")
                .hasMessageContaining("imagePullPolicy is 'never'");

        assertThat(exists(name)).isFalse();
        assertThat(runtime.module(name)).isEmpty();
    }

    @Test
    void anImageThatCannotBePulledIsRefusedWithTheEnginesReasonAndCreatesNothing() {
        String name = "gh-test-pull";
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("image", "gatehouse-test/absent:1");
        settings.put("registryCredentials", Map.of("hub", Map.of("username", "gatehouse", "password",
                "pw-must-not-show", "address", "https://index.docker.io/v1/")));
        ModuleSpec spec = new ModuleSpec(name, "docker", "1", Map.of(), settings);

        // no registry is reachable here; where one is, it has no such repository
        assertThatThrownBy(() -> runtime.create(spec))
                .isInstanceOf(ModuleRuntimeException.class)
                .hasMessageStartingWith("module 'gh-test-pull': pulling image gatehouse-test/absent:1: ")
                .hasMessageNotContaining("pw-must-not-show");

        assertThat(exists(name)).isFalse();
    }

    @Test
    void aContainerWithoutOurLabelIsNeitherListedNorTouched() throws Exception {
        String name = "gh-test-foreign";
        client().createContainerCmd(IMAGE).withName(name).withCmd("sleep", "600").exec();

        assertThat(runtime.modules()).extracting(ModuleState::name).doesNotContain(name);
        assertThat(runtime.module(name)).isEmpty();
        assertThatThrownBy(() -> runtime.create(sh(name, "true")))
                .isInstanceOf(ModuleRuntimeException.class)
                .hasMessageContaining("Gatehouse did not create it");
        assertThatThrownBy(() -> runtime.remove(name)).hasMessageContaining("Gatehouse did not create it");
        assertThatThrownBy(() -> runtime.start(name)).hasMessageContaining("Gatehouse did not create it");
        assertThatThrownBy(() -> runtime.logs(name, 5)).hasMessageContaining("Gatehouse did not create it");

        assertThat(client().inspectContainerCmd(name).exec().getConfig().getCmd()).containsExactly("sleep", "600");
    }

    @Test
    void aModuleOfAnotherTypeOrNameIsRefused() {
        assertThatThrownBy(() -> runtime.create(new ModuleSpec("gh-test-x", "process", "1", Map.of(),
                Map.of("command", List.of("true")))))
                .hasMessageContaining("this runtime runs type 'docker' only");
        assertThatThrownBy(() -> runtime.create(sh("a", "true"))).hasMessageContaining("cannot name a container");
        assertThatThrownBy(() -> runtime.stop("gh-test-nobody", Duration.ofSeconds(1)))
                .isInstanceOf(NoSuchModuleException.class);
    }
}
