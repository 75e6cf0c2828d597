package io.gatehouse.itests.system;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The docker command line, to look at what the agent did to the engine as an operator would.
 * Without an engine the calling test is skipped, or fails where GATEHOUSE_REQUIRE_DOCKER=1 (CI).
 */
final class DockerCli {
    /** Made here from the host's static busybox when absent: no registry is reachable. */
    static final String IMAGE = "gatehouse-test/busybox:1";

    private DockerCli() {
    }

    static void requireEngine() throws Exception {
        if (run("docker", "info").exitCode() == 0) return;
        String why = "no Docker engine answers `docker info`";
        if ("1".equals(System.getenv("GATEHOUSE_REQUIRE_DOCKER"))) Assertions.fail(why + "; GATEHOUSE_REQUIRE_DOCKER=1 requires it");
        Assumptions.abort(why + "; skipped (GATEHOUSE_REQUIRE_DOCKER=1 makes this fail)");
    }

    static void ensureImage(Path work) throws Exception {
        if (run("docker", "image", "inspect", IMAGE).exitCode() == 0) return;
        Path bin = Files.createDirectories(work.resolve("rootfs/bin"));
        Files.copy(Path.of("/bin/busybox"), bin.resolve("busybox"));
        for (String applet : List.of("sh", "echo", "sleep")) Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
        Result r = run("sh", "-c", "tar -C '" + work.resolve("rootfs") + "' -c . | docker import - " + IMAGE);
        Assertions.assertEquals(0, r.exitCode(), "docker import of busybox: " + r.output());
    }

    /** {@code docker inspect} of one field, e.g. {@code {{.State.Status}}}; null when there is no such container. */
    static String inspect(String container, String format) throws Exception {
        Result r = run("docker", "inspect", "-f", format, container);
        return r.exitCode() == 0 ? r.output().strip() : null;
    }

    static Result run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) p.destroyForcibly();
        return new Result(p.exitValue(), out);
    }

    record Result(int exitCode, String output) {
    }
}
