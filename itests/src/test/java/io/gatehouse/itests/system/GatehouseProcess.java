package io.gatehouse.itests.system;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The assembled distribution run as a separate process, the way an operator runs it:
 * {@code bin/gatehouse run} with its state in a temp directory and free loopback ports.
 */
final class GatehouseProcess implements AutoCloseable {
    static final String IOTHUB = "plant.example.net";
    static final Path HOME = Path.of(System.getProperty("gatehouse.home", "../distribution/target/gatehouse"))
            .toAbsolutePath().normalize();

    private final Path data;
    private final int mqttPort;
    private final int httpPort;
    private final int tlsPort;
    private final int amqpsPort;
    private final int amqpPort;
    private final Path log;
    private final Map<String, String> extraEnvironment = new java.util.HashMap<>();
    private Process process;
    private int starts;

    GatehouseProcess(Path data) throws IOException {
        this.data = data;
        this.mqttPort = freePort();
        this.httpPort = freePort();
        this.tlsPort = freePort();
        this.amqpsPort = freePort();
        this.amqpPort = freePort();
        this.log = data.resolve("process.log");
    }

    int mqttPort() {
        return mqttPort;
    }

    int httpPort() {
        return httpPort;
    }

    /** The MQTT TLS listener (on all interfaces, as in production; a free port rather than 8883). */
    int tlsPort() {
        return tlsPort;
    }

    /** The AMQPS listener (a free port rather than 5671). */
    int amqpsPort() {
        return amqpsPort;
    }

    /** Extra environment for the next start (e.g. GATEHOUSE_DEPLOYMENT), on top of the test's own. */
    void putEnvironment(String name, String value) {
        extraEnvironment.put(name, value);
    }

    /** GATEHOUSE_DATA: the gateway's state (store, identities, …). */
    Path dataDirectory() {
        return data.resolve("state");
    }

    Path log() {
        return log;
    }

    String logText() throws IOException {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    /**
     * The environment of the gateway and the CLI: the developer's own GATEHOUSE_* variables are
     * removed so that they cannot change what the tests see.
     */
    private void applyEnvironment(Map<String, String> env) {
        env.keySet().removeIf(name -> name.startsWith("GATEHOUSE_"));
        env.putAll(environment());
        env.putAll(extraEnvironment);
    }

    private Map<String, String> environment() {
        return Map.of(
                "GATEHOUSE_DATA", dataDirectory().toString(),
                "GATEHOUSE_MQTT_PORT", Integer.toString(mqttPort),
                "GATEHOUSE_HTTP_PORT", Integer.toString(httpPort),
                "GATEHOUSE_MQTT_TLS_PORT", Integer.toString(tlsPort),
                "GATEHOUSE_AMQPS_PORT", Integer.toString(amqpsPort),
                "GATEHOUSE_AMQP_PORT", Integer.toString(amqpPort),
                "GATEHOUSE_IOTHUB_HOSTNAME", IOTHUB,
                "GATEHOUSE_DEVICE_ID", "edge1",
                // a file that is not there: tests deploy their own routes and modules, and the shipped
                // deployment's sample module would run in every test (SampleModuleSystemTest runs it)
                "GATEHOUSE_DEPLOYMENT", data.resolve("no-initial-deployment.json").toString());
    }

    /** Starts the gateway and waits until its health check answers 200. */
    void start() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(HOME.resolve("bin/gatehouse").toString(), "run");
        applyEnvironment(pb.environment());
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Files.writeString(log, "---- start " + (++starts) + "\n", StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        process = pb.start();
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) throw new AssertionError("gatehouse exited with " + process.exitValue() + ":\n" + logText());
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + httpPort + "/health")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) return;
                last = r.statusCode() + " " + r.body();
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(250);
        }
        throw new AssertionError("gatehouse not healthy within 90 s; last answer: " + last + "\n" + logText());
    }

    /** {@code kill -9}: the process and everything it started. */
    void kill() throws InterruptedException {
        ProcessHandle root = process.toHandle();
        List<ProcessHandle> all = new ArrayList<>(root.descendants().toList());
        all.add(root);
        all.forEach(ProcessHandle::destroyForcibly);
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** A graceful stop (SIGTERM), as {@code bin/gatehouse stop} does. */
    void stop() throws InterruptedException {
        if (process == null || !process.isAlive()) return;
        process.toHandle().descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) kill();
    }

    /** Runs {@code bin/gatehouse <args>} (the CLI) against this gateway. */
    CliResult cli(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(HOME.resolve("bin/gatehouse").toString());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        applyEnvironment(pb.environment());
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(60, TimeUnit.SECONDS);
        return new CliResult(p.exitValue(), out, err);
    }

    record CliResult(int exitCode, String out, String err) {
    }

    @Override
    public void close() throws Exception {
        stop();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
