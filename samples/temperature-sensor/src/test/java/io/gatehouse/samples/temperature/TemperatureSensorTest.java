package io.gatehouse.samples.temperature;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TemperatureSensorTest {

    private record Outcome(int exitCode, String stdout, String stderr) {
    }

    /** Runs the real main in its own JVM with exactly the given environment. */
    private static Outcome runMain(Map<String, String> env) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                TemperatureSensor.class.getName());
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("main exits by itself").isTrue();
        return new Outcome(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void withoutConnectionStringItExitsWithTheReasonOnStderr() throws Exception {
        Outcome outcome = runMain(Map.of());

        assertThat(outcome.exitCode()).isEqualTo(TemperatureSensor.EXIT_BAD_ENVIRONMENT);
        assertThat(outcome.stderr()).startsWith("temperature-sensor: EdgeHubConnectionString is not set.");
        assertThat(outcome.stdout()).isEmpty();
    }

    @Test
    void aMissingCaFileStopsItBeforeAnyConnectionAndTheKeyIsNeverPrinted() throws Exception {
        String key = "c2VjcmV0LWtleS1ub3QtdG8tYmUtcHJpbnRlZC0wMTIzNDU2Nzg5";
        Outcome outcome = runMain(Map.of("EdgeHubConnectionString", "HostName=gatehouse.local;GatewayHostName=localhost;"
                + "DeviceId=edge1;ModuleId=tempSensor;SharedAccessKey=" + key));

        assertThat(outcome.exitCode()).isEqualTo(TemperatureSensor.EXIT_BAD_ENVIRONMENT);
        assertThat(outcome.stderr()).startsWith("temperature-sensor: EdgeModuleCACertificateFile is not set.");
        assertThat(outcome.stdout() + outcome.stderr()).doesNotContain(key);
    }

    @Test
    void reasonsFollowTheCauseChainWithoutRepeating() {
        Exception e = new IllegalStateException("Failed to open the client",
                new RuntimeException("Unable to establish MQTT connection",
                        new RuntimeException("Unable to establish MQTT connection")));

        assertThat(TemperatureSensor.reasons(e)).isEqualTo("Failed to open the client: Unable to establish MQTT connection");
        assertThat(TemperatureSensor.reasons(new RuntimeException((String) null))).isEqualTo("RuntimeException");
    }
}
