package io.gatehouse.supervisor.docker.internal;

import static org.junit.jupiter.api.Assertions.fail;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Tests against the real Docker engine at {@code /var/run/docker.sock}. Without one they are
 * skipped, unless {@code GATEHOUSE_REQUIRE_DOCKER=1} (CI), where they fail. The test image is
 * made here from the host's static busybox with the {@code docker import} command, as no registry is
 * reachable, so a machine with dockerd and busybox-static needs nothing else.
 */
final class RequiresDocker implements BeforeAllCallback, BeforeEachCallback {

    static final String HOST = "unix:///var/run/docker.sock";
    static final String IMAGE = "gatehouse-test/busybox:1";
    /** Every container a test makes has a name with this prefix, and is removed after it. */
    static final String PREFIX = "gh-test-";
    private static final boolean REQUIRED = "1".equals(System.getenv("GATEHOUSE_REQUIRE_DOCKER"));
    private static final List<String> APPLETS = List.of("sh", "echo", "sleep", "cat", "env", "true", "false");

    private static DockerClient client;

    /** Why the engine tests cannot run here, or null; found once per test run. */
    private static String problem;
    private static boolean checked;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        synchronized (RequiresDocker.class) {
            if (!checked) {
                checked = true;
                problem = findProblem();
                if (problem != null) {
                    System.err.println("Docker engine tests: " + problem + (REQUIRED ? "; GATEHOUSE_REQUIRE_DOCKER=1,"
                            + " so they fail" : "; they are skipped (GATEHOUSE_REQUIRE_DOCKER=1 makes them fail)"));
                }
            }
        }
    }

    /** Per test rather than per class, so that each one is reported skipped, with the reason. */
    @Override
    public void beforeEach(ExtensionContext context) {
        if (problem == null) return;
        if (REQUIRED) fail(problem + "; GATEHOUSE_REQUIRE_DOCKER=1 requires it");
        Assumptions.abort(problem + "; skipped (GATEHOUSE_REQUIRE_DOCKER=1 makes this fail)");
    }

    private static String findProblem() throws IOException {
        if (!Files.exists(Path.of("/var/run/docker.sock"))) {
            return "no Docker engine: /var/run/docker.sock is missing (start dockerd)";
        }
        try {
            client().pingCmd().exec();
        } catch (RuntimeException e) {
            return "the Docker engine at " + HOST + " does not answer: " + e;
        }
        return ensureTestImage();
    }

    static synchronized DockerClient client() {
        if (client == null) {
            client = DockerClientImpl.getInstance(
                    new DefaultDockerClientConfig.Builder().withDockerHost(HOST).withDockerTlsVerify(false).build(),
                    new ZerodepDockerHttpClient.Builder().dockerHost(URI.create(HOST))
                            .connectionTimeout(Duration.ofSeconds(5)).build());
        }
        return client;
    }

    /** Force-removes every container the tests made. */
    static void removeTestContainers() {
        for (Container c : client().listContainersCmd().withShowAll(true).exec()) {
            if (c.getNames() == null) continue;
            for (String name : c.getNames()) {
                if (name.startsWith("/" + PREFIX)) {
                    try {
                        client().removeContainerCmd(c.getId()).withForce(true).exec();
                    } catch (NotFoundException gone) {
                        // removed by the test itself meanwhile
                    }
                    break;
                }
            }
        }
    }

    /** Makes the test image if it is absent; returns why it cannot be made, or null. */
    private static String ensureTestImage() throws IOException {
        try {
            client().inspectImageCmd(IMAGE).exec();
            return null;
        } catch (NotFoundException absent) {
            // made below
        }
        Path busybox = Path.of("/bin/busybox");
        if (!Files.isRegularFile(busybox)) {
            return "the test image " + IMAGE + " is absent and /bin/busybox, to make it from, is missing"
                    + " (apt-get install busybox-static)";
        }
        byte[] binary = Files.readAllBytes(busybox);
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(tar)) {
            TarArchiveEntry dir = new TarArchiveEntry("bin/");
            dir.setMode(0755);
            out.putArchiveEntry(dir);
            out.closeArchiveEntry();
            TarArchiveEntry entry = new TarArchiveEntry("bin/busybox");
            entry.setMode(0755);
            entry.setSize(binary.length);
            out.putArchiveEntry(entry);
            out.write(binary);
            out.closeArchiveEntry();
            for (String applet : APPLETS) {
                TarArchiveEntry link = new TarArchiveEntry("bin/" + applet, TarArchiveEntry.LF_SYMLINK);
                link.setLinkName("busybox");
                out.putArchiveEntry(link);
                out.closeArchiveEntry();
            }
        }
        // docker-java's import (POST /images/create?fromSrc=-) sends a body the engine finds truncated
        // through the zerodep transport; the CLI, which comes with the engine, does it right
        Path file = Files.createTempFile("gatehouse-test-busybox", ".tar");
        try {
            Files.write(file, tar.toByteArray());
            Process process = new ProcessBuilder("docker", "-H", HOST, "import", file.toString(), IMAGE)
                    .redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            if (process.waitFor() != 0) return "docker import of the test image failed: " + output;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while importing the test image";
        } finally {
            Files.deleteIfExists(file);
        }
        client().inspectImageCmd(IMAGE).exec();
        return null;
    }
}
