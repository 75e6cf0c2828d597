package io.gatehouse.samples.temperature;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SensorSettingsTest {

    private static final String KEY = "c2VjcmV0LWtleS1ub3QtdG8tYmUtbG9nZ2VkLTAxMjM0NTY3ODk=";
    private static final String DIRECT = "HostName=gatehouse.local;DeviceId=edge1;ModuleId=tempSensor;SharedAccessKey=" + KEY;
    private static final String VIA_GATEWAY = "HostName=gatehouse.local;GatewayHostName=localhost;DeviceId=edge1;"
            + "ModuleId=tempSensor;SharedAccessKey=" + KEY;

    @TempDir
    Path dir;

    private Map<String, String> env(String connectionString) throws IOException {
        Path ca = Files.writeString(dir.resolve("edge-ca.pem"), "-----BEGIN CERTIFICATE-----\n");
        Map<String, String> env = new HashMap<>();
        env.put("EdgeHubConnectionString", connectionString);
        env.put("EdgeModuleCACertificateFile", ca.toString());
        return env;
    }

    @Test
    void defaultsToOneMessageASecondWithoutEnd() throws Exception {
        SensorSettings settings = SensorSettings.fromEnvironment(env(VIA_GATEWAY));

        assertThat(settings.sendInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(settings.messageCount()).isZero();
        assertThat(settings.limited()).isFalse();
    }

    @Test
    void readsIntervalAndCount() throws Exception {
        Map<String, String> env = env(VIA_GATEWAY);
        env.put("SEND_INTERVAL_MS", " 250 ");
        env.put("MESSAGE_COUNT", "5");

        SensorSettings settings = SensorSettings.fromEnvironment(env);

        assertThat(settings.sendInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(settings.messageCount()).isEqualTo(5);
        assertThat(settings.limited()).isTrue();
    }

    @Test
    void missingConnectionStringIsNamed() {
        assertThatThrownBy(() -> SensorSettings.fromEnvironment(Map.of("EdgeModuleCACertificateFile", "/tmp/ca.pem")))
                .isInstanceOf(InvalidEnvironmentException.class)
                .hasMessageStartingWith("EdgeHubConnectionString is not set");
    }

    @Test
    void blankConnectionStringCountsAsMissing() throws Exception {
        assertThatThrownBy(() -> SensorSettings.fromEnvironment(env("  ")))
                .isInstanceOf(InvalidEnvironmentException.class)
                .hasMessageStartingWith("EdgeHubConnectionString is not set");
    }

    @Test
    void connectionStringWithoutModuleIdIsRefusedWithoutEchoingTheKey() throws Exception {
        String deviceOnly = "HostName=gatehouse.local;DeviceId=edge1;SharedAccessKey=" + KEY;

        assertThatThrownBy(() -> SensorSettings.fromEnvironment(env(deviceOnly)))
                .isInstanceOf(InvalidEnvironmentException.class)
                .hasMessageContaining("lacks ModuleId")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(KEY));
    }

    @Test
    void connectionStringWithoutKeyNamesEveryMissingField() throws Exception {
        assertThatThrownBy(() -> SensorSettings.fromEnvironment(env("HostName=gatehouse.local;SharedAccessKey=")))
                .isInstanceOf(InvalidEnvironmentException.class)
                .hasMessageContaining("lacks DeviceId, ModuleId, SharedAccessKey");
    }

    @Test
    void gatewayConnectionNeedsTheEdgeCa() throws Exception {
        Map<String, String> env = env(VIA_GATEWAY);
        env.remove("EdgeModuleCACertificateFile");

        assertThatThrownBy(() -> SensorSettings.fromEnvironment(env))
                .isInstanceOf(InvalidEnvironmentException.class)
                .hasMessageStartingWith("EdgeModuleCACertificateFile is not set");
    }

    @Test
    void edgeCaMustBeAReadableFile() throws Exception {
        Map<String, String> env = env(VIA_GATEWAY);
        env.put("EdgeModuleCACertificateFile", dir.resolve("absent.pem").toString());

        assertThatThrownBy(() -> SensorSettings.fromEnvironment(env))
                .isInstanceOf(InvalidEnvironmentException.class)
                .hasMessageContaining("absent.pem")
                .hasMessageContaining("not a readable file");
    }

    @Test
    void directConnectionNeedsNoEdgeCa() throws Exception {
        Map<String, String> env = env(DIRECT);
        env.remove("EdgeModuleCACertificateFile");

        assertThat(SensorSettings.fromEnvironment(env).messageCount()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-5", "fast", "1.5"})
    void badIntervalIsRefusedByName(String value) throws Exception {
        Map<String, String> env = env(VIA_GATEWAY);
        env.put("SEND_INTERVAL_MS", value);

        assertThatThrownBy(() -> SensorSettings.fromEnvironment(env))
                .isInstanceOf(InvalidEnvironmentException.class)
                .hasMessageStartingWith("SEND_INTERVAL_MS must be");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "many"})
    void badCountIsRefusedByName(String value) throws Exception {
        Map<String, String> env = env(VIA_GATEWAY);
        env.put("MESSAGE_COUNT", value);

        assertThatThrownBy(() -> SensorSettings.fromEnvironment(env))
                .isInstanceOf(InvalidEnvironmentException.class)
                .hasMessageStartingWith("MESSAGE_COUNT must be");
    }
}
