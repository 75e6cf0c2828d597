package io.gatehouse.supervisor.docker.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.api.module.ModuleRuntimeException;
import io.gatehouse.api.module.ModuleSpec;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** No engine is needed here: these tests are about its absence. */
class UnreachableEngineTest {

    private static DockerModuleRuntime runtime(Map<String, Object> config) {
        return new DockerModuleRuntime(Configs.of(DockerModuleRuntime.Config.class, config));
    }

    @ParameterizedTest
    @ValueSource(strings = {"unix:///tmp/gatehouse-no-such-dir/docker.sock", "tcp://127.0.0.1:1"})
    void everyCallSaysTheEngineCannotBeReached(String host) {
        // activates although nothing answers
        DockerModuleRuntime runtime = runtime(Map.of("dockerHost", host));
        try {
            String reason = "cannot reach the Docker engine at " + host + ": ";
            ModuleSpec spec = new ModuleSpec("sensor", "docker", "1", Map.of(),
                    Map.of("image", "gatehouse-test/busybox:1"));

            assertThatThrownBy(() -> runtime.create(spec)).isInstanceOf(ModuleRuntimeException.class)
                    .hasMessageStartingWith(reason);
            assertThatThrownBy(() -> runtime.start("sensor")).hasMessageStartingWith(reason);
            assertThatThrownBy(() -> runtime.stop("sensor", Duration.ofSeconds(1))).hasMessageStartingWith(reason);
            assertThatThrownBy(() -> runtime.remove("sensor")).hasMessageStartingWith(reason);
            assertThatThrownBy(() -> runtime.logs("sensor", 10)).hasMessageStartingWith(reason);
            // the list cannot be told, which is not the same as empty; a lookup finds nothing
            assertThatThrownBy(runtime::modules).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("cannot reach the Docker engine");
            assertThat(runtime.module("sensor")).isEmpty();
            assertThat(runtime.type()).isEqualTo("docker");
        } finally {
            runtime.deactivate();
        }
    }

    @Test
    void aSpecThatCannotRunIsRefusedBeforeTheEngineIsAsked() {
        DockerModuleRuntime runtime = runtime(Map.of("dockerHost", "unix:///tmp/gatehouse-no-such-dir/docker.sock"));
        try {
            assertThatThrownBy(() -> runtime.create(new ModuleSpec("sensor", "docker", "1", Map.of(), Map.of())))
                    .hasMessageContaining("settings.image is missing");
            assertThatThrownBy(() -> runtime.create(new ModuleSpec("sensor", "docker", "1", Map.of(),
                    Map.of("image", "sensor:1", "createOptions", "{\"HostConfig\": {\"Binds\": \"/a:/b\"}}"))))
                    .hasMessageContaining("settings.createOptions.HostConfig.Binds");
        } finally {
            runtime.deactivate();
        }
    }

    @Test
    void aBadConfigurationKeepsTheComponentFromActivating() {
        assertThatThrownBy(() -> runtime(Map.of("dockerHost", "http://localhost:2375")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'dockerHost'");
        assertThatThrownBy(() -> runtime(Map.of("pullTimeoutSecs", 0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'pullTimeoutSecs'");
        assertThatThrownBy(() -> runtime(Map.of("stopTimeoutSecs", -1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'stopTimeoutSecs'");
    }
}
