package io.gatehouse.supervisor.docker.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.core.command.CreateContainerCmdImpl;
import io.gatehouse.api.module.ModuleRuntimeException;
import io.gatehouse.api.module.ModuleSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CreateOptionsTest {

    private static ModuleSpec spec(Map<String, String> env, String createOptions) {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("image", "plant.azurecr.io/opc-reader:2.1");
        settings.put("createOptions", createOptions);
        return new ModuleSpec("opc-reader", "docker", "2.1", env, settings);
    }

    /** Not sent anywhere: the command only collects what would be sent. */
    private static CreateContainerCmdImpl command() {
        return new CreateContainerCmdImpl(c -> {
            throw new AssertionError("nothing is sent in this test");
        }, null, "ignored");
    }

    @Test
    void readsDockersCreateParametersAndPutsTheSpecOnTop() throws Exception {
        ModuleSpec spec = spec(Map.of("SHARED", "from-spec", "IOTEDGE_MODULEID", "opc-reader"), """
                {"Cmd": ["--port", "4840"], "Entrypoint": ["/app/reader"],
                 "Env": ["SHARED=from-options", "ONLY_OPTIONS=1"],
                 "Labels": {"com.example.line": "3", "net.azure-devices.edge.owner": "someone-else"},
                 "WorkingDir": "/app", "User": "1000:1000", "ExposedPorts": {"4840/tcp": {}},
                 "HostConfig": {"Binds": ["/var/opc:/data:ro"], "Memory": 268435456, "NanoCpus": 500000000,
                                "PortBindings": {"4840/tcp": [{"HostIp": "127.0.0.1", "HostPort": "14840"}]}}}
                """);
        CreateContainerCmdImpl cmd = command();

        List<String> ignored = CreateOptions.applyTo(cmd, spec, DockerSettings.of(spec));

        assertThat(ignored).isEmpty();
        assertThat(cmd.getName()).isEqualTo("opc-reader");
        assertThat(cmd.getImage()).isEqualTo("plant.azurecr.io/opc-reader:2.1");
        assertThat(cmd.getCmd()).containsExactly("--port", "4840");
        assertThat(cmd.getEntrypoint()).containsExactly("/app/reader");
        assertThat(cmd.getEnv()).containsExactlyInAnyOrder("SHARED=from-spec", "ONLY_OPTIONS=1",
                "IOTEDGE_MODULEID=opc-reader");
        assertThat(cmd.getWorkingDir()).isEqualTo("/app");
        assertThat(cmd.getUser()).isEqualTo("1000:1000");
        assertThat(cmd.getExposedPorts()).containsExactly(ExposedPort.tcp(4840));
        assertThat(cmd.getHostConfig().getBinds()).containsExactly(Bind.parse("/var/opc:/data:ro"));
        assertThat(cmd.getHostConfig().getMemory()).isEqualTo(268435456L);
        assertThat(cmd.getHostConfig().getNanoCPUs()).isEqualTo(500000000L);
        Ports.Binding[] bindings = cmd.getHostConfig().getPortBindings().getBindings().get(ExposedPort.tcp(4840));
        assertThat(bindings).containsExactly(Ports.Binding.bindIpAndPort("127.0.0.1", 14840));
        // the owner label is ours whatever createOptions say: it decides what this runtime may touch
        assertThat(cmd.getLabels()).containsEntry("com.example.line", "3")
                .containsEntry(ModuleLabels.OWNER, "gatehouse")
                .containsEntry(ModuleLabels.VERSION, "2.1")
                .containsEntry(ModuleLabels.ENV, "IOTEDGE_MODULEID,SHARED");
    }

    @Test
    void leavesOutAndReportsWhatDockerJavaDoesNotKnow() throws Exception {
        ModuleSpec spec = spec(Map.of(), """
                {"Cmd": ["run"], "Bogus": {"deep": [1, 2]}, "HostConfig": {"Memory": 1048576, "NotAThing": true}}
                """);
        CreateContainerCmdImpl cmd = command();

        List<String> ignored = CreateOptions.applyTo(cmd, spec, DockerSettings.of(spec));

        assertThat(ignored).containsExactly("Bogus", "HostConfig.NotAThing");
        assertThat(cmd.getCmd()).containsExactly("run");
        assertThat(cmd.getHostConfig().getMemory()).isEqualTo(1048576L);
    }

    @Test
    void aValueOfTheWrongFormIsRefusedWithItsPathButNotItsValue() throws Exception {
        ModuleSpec env = spec(Map.of(), "{\"Env\": {\"PASSWORD\": \"hunter2\"}}");
        assertThatThrownBy(() -> CreateOptions.applyTo(command(), env, DockerSettings.of(env)))
                .isInstanceOf(ModuleRuntimeException.class)
                .hasMessageContaining("settings.createOptions.Env")
                .hasMessageContaining("expected an array")
                .hasMessageNotContaining("hunter2");

        ModuleSpec memory = spec(Map.of(), "{\"HostConfig\": {\"Memory\": \"lots-secret\"}}");
        assertThatThrownBy(() -> CreateOptions.applyTo(command(), memory, DockerSettings.of(memory)))
                .isInstanceOf(ModuleRuntimeException.class)
                .hasMessageContaining("settings.createOptions.HostConfig.Memory")
                .hasMessageNotContaining("lots-secret");
    }

    @Test
    void specEnvironmentWinsOverCreateOptionsAndKeepsTheRestInOrder() {
        assertThat(CreateOptions.mergeEnvironment(new String[] {"A=1", "B=2", "PASSTHROUGH"},
                Map.of("B", "spec", "C", "3")))
                .containsExactly("A=1", "B=spec", "PASSTHROUGH", "C=3");
    }
}
