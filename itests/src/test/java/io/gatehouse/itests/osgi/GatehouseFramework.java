package io.gatehouse.itests.osgi;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.cleanCaches;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.systemPackages;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.options.UrlProvisionOption;

/**
 * Builds the Pax Exam configuration of a Gatehouse framework from the assembled distribution:
 * every jar of {@code ${gatehouse.home}/bundle}, the framework properties of
 * {@code conf/config.properties}, and {@code etc/*.cfg} rewritten so that all state lives in a
 * fresh directory and MQTT and HTTP listen on free loopback ports. Runs outside the framework,
 * in the {@code @Configuration} method.
 */
final class GatehouseFramework {

    /** Framework properties the launcher passes as system properties; the tests read them back. */
    static final String MQTT_PORT = "gatehouse.mqtt.port";
    static final String HTTP_PORT = "gatehouse.http.port";
    static final String IOTHUB_HOSTNAME = "gatehouse.iothub.hostname";
    static final String DEVICE_ID = "gatehouse.device.id";

    static final String EDGE_DEVICE_ID = "edge1";
    static final String IOTHUB_HOST = "gatehouse.local";

    /** Used only when the distribution has no conf/config.properties. */
    private static final String PAHO = "org.eclipse.paho.client.mqttv3";
    private static final String FALLBACK_SYSTEM_PACKAGES = "sun.misc,sun.nio.ch,jdk.internal.misc,jdk.internal.ref";

    /** Pax Exam owns the framework cache and installs the bundles itself. */
    private static final List<String> PAX_EXAM_OWNS = List.of(
            "org.osgi.framework.storage", "org.osgi.framework.storage.clean",
            "felix.auto.deploy.dir", "felix.auto.deploy.action");

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]+)}");

    private GatehouseFramework() {
    }

    static Option[] options(String testName) {
        try {
            return build(testName);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Option[] build(String testName) throws IOException {
        Path home = Path.of(required("gatehouse.home")).toAbsolutePath().normalize();
        Path bundleDir = home.resolve("bundle");
        if (!Files.isDirectory(bundleDir)) {
            throw new IllegalStateException(bundleDir + " does not exist: build the distribution first");
        }
        Path work = freshWorkDirectory(testName);
        Path etc = Files.createDirectories(work.resolve("etc"));
        Path data = Files.createDirectories(work.resolve("data"));

        // The same names the launcher (bin/gatehouse) defines, so ${...} in conf/ and etc/ resolve alike.
        Map<String, String> launcher = new LinkedHashMap<>();
        launcher.put("gatehouse.home", home.toString());
        launcher.put("gatehouse.data", data.toString());
        launcher.put("gatehouse.etc", etc.toString());
        launcher.put(DEVICE_ID, EDGE_DEVICE_ID);
        launcher.put(IOTHUB_HOSTNAME, IOTHUB_HOST);
        launcher.put("gatehouse.hostname", "localhost");
        launcher.put(MQTT_PORT, Integer.toString(freePort()));
        launcher.put(HTTP_PORT, Integer.toString(freePort()));
        launcher.put("gatehouse.http.host", "127.0.0.1");

        writeConfiguration(home.resolve("etc"), etc, data, launcher);

        Map<String, String> framework = new LinkedHashMap<>(launcher);
        String systemPackagesExtra = FALLBACK_SYSTEM_PACKAGES;
        Path conf = home.resolve("conf/config.properties");
        if (Files.isRegularFile(conf)) {
            Properties distribution = load(conf);
            for (String key : distribution.stringPropertyNames()) {
                String value = substitute(distribution.getProperty(key), launcher);
                if (key.equals("org.osgi.framework.system.packages.extra")) {
                    systemPackagesExtra = value;
                } else if (!PAX_EXAM_OWNS.contains(key)) {
                    framework.put(key, value);
                }
            }
        }
        // What this harness promises whatever the distribution says.
        framework.put("felix.fileinstall.dir", etc.toString());
        framework.put("felix.fileinstall.noInitialDelay", "true");
        framework.put("org.apache.felix.http.host", "127.0.0.1");
        framework.put("org.osgi.service.http.port", launcher.get(HTTP_PORT));
        // The framework shares this JVM with the test classpath (slf4j-simple, Jackson, Paho, ...). Felix's implicit
        // boot delegation would let calls from JDK code (ServiceLoader via SPI Fly) load classes from that classpath
        // instead of from the bundles; in the distribution the classpath holds only felix.jar.
        framework.put("felix.bootdelegation.implicit", "false");
        // Gogo must not read stdin: surefire talks to its forked JVM through it.
        framework.put("gosh.args", "--nointeractive");

        List<Option> options = new ArrayList<>();
        options.add(cleanCaches(true));
        options.add(junitBundles());
        options.add(systemPackages(splitPackages(systemPackagesExtra)));
        framework.forEach((key, value) -> options.add(frameworkProperty(key).value(value)));
        for (Path jar : jars(bundleDir)) {
            Manifest manifest = manifest(jar);
            UrlProvisionOption option = bundle(jar.toUri().toString());
            if (manifest.getMainAttributes().getValue("Fragment-Host") != null) option.noStart();
            // Pax Exam's own bundles start at level 2 and log through slf4j at once: SPI Fly and the slf4j
            // provider must be active before that first LoggerFactory call, or every bundle gets the no-op logger.
            if (isLoggingStack(manifest)) option.startLevel(1);
            options.add(option);
        }
        // The MQTT client the tests use inside the framework: the distribution ships Paho for the upstream
        // bundle; a framework refuses the same bundle twice, so the test's own jar only comes in without it.
        if (jars(bundleDir).stream().noneMatch(jar -> PAHO.equals(symbolicName(jar)))) {
            options.add(bundle(MqttAsyncClient.class.getProtectionDomain().getCodeSource().getLocation().toString()));
        }
        System.out.printf("[itest] %s: %d bundles from %s, state in %s, MQTT %s, HTTP %s%n", testName,
                jars(bundleDir).size(), bundleDir, work, launcher.get(MQTT_PORT), launcher.get(HTTP_PORT));
        return options.toArray(Option[]::new);
    }

    /**
     * Copies the distribution's etc/*.cfg (when there are any) and sets, for the Gatehouse PIDs, the
     * keys that must point into this test's own state directory and ports. Deployment manifests are
     * not copied: a test applies its own routes and must not race an initial deployment.
     */
    private static void writeConfiguration(Path distributionEtc, Path etc, Path data, Map<String, String> launcher)
            throws IOException {
        Map<String, Map<String, String>> pids = new LinkedHashMap<>();
        if (Files.isDirectory(distributionEtc)) {
            try (Stream<Path> files = Files.list(distributionEtc)) {
                for (Path cfg : files.filter(f -> f.getFileName().toString().endsWith(".cfg")).sorted().toList()) {
                    Map<String, String> values = new LinkedHashMap<>();
                    Properties p = load(cfg);
                    p.stringPropertyNames().stream().sorted().forEach(k -> values.put(k, p.getProperty(k)));
                    String name = cfg.getFileName().toString();
                    pids.put(name.substring(0, name.length() - ".cfg".length()), values);
                }
            }
        }
        set(pids, "io.gatehouse.hub", "deviceId", launcher.get(DEVICE_ID));
        set(pids, "io.gatehouse.hub", "iotHubHostName", launcher.get(IOTHUB_HOSTNAME));
        set(pids, "io.gatehouse.hub", "gatewayHostName", launcher.get("gatehouse.hostname"));
        set(pids, "io.gatehouse.store", "directory", data.resolve("store").toString());
        set(pids, "io.gatehouse.auth", "directory", data.resolve("identities").toString());
        set(pids, "io.gatehouse.router", "stateDirectory", data.resolve("router").toString());
        set(pids, "io.gatehouse.management", "initialDeployment", etc.resolve("deployment.json").toString());
        set(pids, "io.gatehouse.management", "stateDirectory", data.resolve("management").toString());
        set(pids, "io.gatehouse.broker", "host", "127.0.0.1");
        set(pids, "io.gatehouse.broker", "port", launcher.get(MQTT_PORT));
        set(pids, "io.gatehouse.broker", "stateDirectory", data.resolve("broker").toString());
        set(pids, "io.gatehouse.broker", "tlsHost", "127.0.0.1");
        set(pids, "io.gatehouse.broker", "tlsPort", "0"); // a free port: tests may follow one another quickly
        set(pids, "io.gatehouse.amqp", "tlsHost", "127.0.0.1");
        set(pids, "io.gatehouse.amqp", "tlsPort", "0");
        set(pids, "io.gatehouse.amqp", "port", "-1");
        set(pids, "io.gatehouse.pki", "directory", data.resolve("certs").toString());
        set(pids, "io.gatehouse.agent", "stateDirectory", data.resolve("agent").toString());
        set(pids, "io.gatehouse.twin", "directory", data.resolve("twins").toString());
        set(pids, "io.gatehouse.upstream", "stateDirectory", data.resolve("upstream").toString());
        set(pids, "io.gatehouse.supervisor.process", "logDirectory", data.resolve("modules").toString());
        set(pids, "io.gatehouse.supervisor.bundle", "cacheDirectory", data.resolve("bundles").toString());
        set(pids, "io.gatehouse.supervisor.bundle", "repositories", ""); // tests run offline

        for (Map.Entry<String, Map<String, String>> pid : pids.entrySet()) {
            StringBuilder text = new StringBuilder();
            pid.getValue().forEach((k, v) -> text.append(k).append(" = ").append(v.replace("\\", "\\\\")).append('\n'));
            Files.writeString(etc.resolve(pid.getKey() + ".cfg"), text, StandardCharsets.UTF_8);
        }
    }

    private static void set(Map<String, Map<String, String>> pids, String pid, String key, String value) {
        pids.computeIfAbsent(pid, p -> new LinkedHashMap<>()).put(key, value);
    }

    private static List<Path> jars(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".jar")).sorted().toList();
        }
    }

    private static Manifest manifest(Path jar) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            Manifest manifest = file.getManifest();
            if (manifest == null) throw new IllegalStateException(jar + " has no manifest: not a bundle");
            return manifest;
        }
    }

    private static String symbolicName(Path jar) {
        try {
            return symbolicName(manifest(jar));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String symbolicName(Manifest manifest) {
        String name = manifest.getMainAttributes().getValue("Bundle-SymbolicName");
        return name == null ? "" : name.split(";")[0].trim();
    }

    private static boolean isLoggingStack(Manifest manifest) {
        String name = symbolicName(manifest);
        return name.startsWith("org.objectweb.asm") || name.startsWith("org.apache.aries.spifly") || name.startsWith("slf4j.");
    }

    private static Path freshWorkDirectory(String testName) throws IOException {
        String target = System.getProperty("project.build.directory");
        Path parent = target != null ? Path.of(target, "paxexam") : Path.of(System.getProperty("java.io.tmpdir"));
        Files.createDirectories(parent);
        return Files.createTempDirectory(parent, testName + "-");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static Properties load(Path file) throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        }
        return p;
    }

    /** ${name} from the launcher's names, else the JVM's system properties; unknown names stay as they are. */
    private static String substitute(String value, Map<String, String> names) {
        Matcher m = PLACEHOLDER.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement = names.getOrDefault(m.group(1), System.getProperty(m.group(1), m.group()));
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String[] splitPackages(String list) {
        return Stream.of(list.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toArray(String[]::new);
    }

    private static String required(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("system property " + property + " is not set (surefire passes it)");
        }
        return value;
    }
}
