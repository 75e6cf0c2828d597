package io.gatehouse.upstream.internal;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A real Mosquitto on a free loopback port standing in for the parent (plain MQTT, anonymous).
 * It keeps its sessions across {@link #stop()}/{@link #start()} (persistence), so a test client
 * with a persistent session receives what was published while it was away; its log records each
 * CONNECT with client id and user name.
 */
final class Mosquitto {
    static final Path BINARY = Path.of("/usr/sbin/mosquitto");

    final int port;
    private final Path directory;
    private final Path log;
    private Process process;

    private Mosquitto(Path directory, String... extraLines) throws IOException {
        this.directory = directory;
        this.log = directory.resolve("mosquitto.log");
        try (ServerSocket s = new ServerSocket(0)) {
            this.port = s.getLocalPort();
        }
        configure(extraLines);
    }

    /** Writes its configuration; takes effect at the next {@link #start()}. */
    void configure(String... extraLines) throws IOException {
        Files.writeString(directory.resolve("mosquitto.conf"), String.join("\n",
                "listener " + port + " 127.0.0.1",
                "allow_anonymous true",
                "persistence true",
                "persistence_location " + directory + "/",
                "log_dest file " + log,
                "log_type all",
                "connection_messages true",
                "max_inflight_messages 100",
                "max_queued_messages 10000",
                "user " + System.getProperty("user.name"),
                String.join("\n", extraLines),
                ""));
    }

    /** Starts one, or skips the test class when Mosquitto is not installed. */
    static Mosquitto started(String... extraLines) throws IOException, InterruptedException {
        assumeTrue(Files.isExecutable(BINARY), "mosquitto is not installed at " + BINARY);
        Mosquitto m = new Mosquitto(Files.createTempDirectory("upstream-mosquitto"), extraLines);
        m.start();
        return m;
    }

    String uri() {
        return "tcp://127.0.0.1:" + port;
    }

    void start() throws IOException, InterruptedException {
        process = new ProcessBuilder(BINARY.toString(), "-c", directory.resolve("mosquitto.conf").toString())
                .redirectErrorStream(true).redirectOutput(directory.resolve("stdout.txt").toFile()).start();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(20);
            }
        }
        throw new IOException("mosquitto did not start on port " + port + ": "
                + Files.readString(directory.resolve("stdout.txt")));
    }

    /** Stops it as a parent going away; it saves its sessions first. */
    void stop() throws InterruptedException {
        if (process == null) return;
        process.destroy();
        process.waitFor();
        process = null;
    }

    /** Whether its log says {@code clientId} disconnected. */
    boolean disconnected(String clientId) {
        return logged(l -> l.endsWith("Client " + clientId + " disconnected."));
    }

    /** Whether it acknowledged a subscription of {@code clientId} (its subscriptions are all in one SUBSCRIBE). */
    boolean subscribed(String clientId) {
        return logged(l -> l.endsWith("Sending SUBACK to " + clientId));
    }

    /** The topic filters {@code clientId} subscribed to, in every connection so far. */
    List<String> subscriptions(String clientId) {
        String prefix = ": " + clientId + " ";
        try {
            return Files.readAllLines(log, StandardCharsets.UTF_8).stream().filter(l -> l.contains(prefix))
                    .map(l -> l.substring(l.indexOf(prefix) + prefix.length()))
                    .filter(l -> l.length() > 2 && Character.isDigit(l.charAt(0)) && l.charAt(1) == ' ')
                    .map(l -> l.substring(2)).toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** How many PUBLISH packets from {@code clientId} it received on a topic starting with {@code topicPrefix}. */
    long publishesFrom(String clientId, String topicPrefix) {
        return count(l -> l.contains("Received PUBLISH from " + clientId + " (") && l.contains(", '" + topicPrefix));
    }

    /** How many times its log says {@code clientId} disconnected (or was disconnected). */
    long disconnects(String clientId) {
        return count(l -> l.contains("Client " + clientId + " disconnected") || l.contains("Client " + clientId
                + " closed its connection"));
    }

    /**
     * How many PUBACKs it received from {@code clientId} for messages it sent on a topic starting with
     * {@code topicPrefix} (a leaf's connection also acknowledges the twin answers Mosquitto hands to
     * every subscriber): each PUBACK is matched to the PUBLISH it sent before with the same packet id.
     */
    long pubacksFrom(String clientId, String topicPrefix) {
        java.util.regex.Pattern sent = java.util.regex.Pattern.compile(
                "Sending PUBLISH to " + java.util.regex.Pattern.quote(clientId) + " \\(d\\d, q\\d, r\\d, m(\\d+), '(.*)");
        java.util.regex.Pattern acked = java.util.regex.Pattern.compile(
                "Received PUBACK from " + java.util.regex.Pattern.quote(clientId) + " \\(Mid: (\\d+)");
        java.util.Map<String, String> topicOfMid = new java.util.HashMap<>();
        long n = 0;
        try {
            for (String l : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                java.util.regex.Matcher m = sent.matcher(l);
                if (m.find()) {
                    topicOfMid.put(m.group(1), m.group(2));
                    continue;
                }
                m = acked.matcher(l);
                if (m.find()) {
                    String topic = topicOfMid.remove(m.group(1));
                    if (topic != null && topic.startsWith(topicPrefix)) n++;
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return n;
    }

    private long count(java.util.function.Predicate<String> line) {
        try {
            return Files.readAllLines(log, StandardCharsets.UTF_8).stream().filter(line).count();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private boolean logged(java.util.function.Predicate<String> line) {
        try {
            return Files.readAllLines(log, StandardCharsets.UTF_8).stream().anyMatch(line);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The CONNECT lines of its log: client id and user name of every connection. */
    List<String> connectLines() throws IOException {
        return Files.readAllLines(log, StandardCharsets.UTF_8).stream()
                .filter(l -> l.contains("New client connected")).toList();
    }
}
