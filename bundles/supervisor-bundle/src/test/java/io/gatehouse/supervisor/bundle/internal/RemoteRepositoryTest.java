package io.gatehouse.supervisor.bundle.internal;

import static io.gatehouse.supervisor.bundle.internal.TestBundles.bundle;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.gatehouse.api.module.ModuleRuntimeException;
import io.gatehouse.api.module.ModuleSpec;
import io.gatehouse.api.module.RuntimeStatus;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** mvn: locations fetched from a remote repository: a real HTTP server over a directory. */
class RemoteRepositoryTest {

    @TempDir
    Path temp;

    TestFramework framework;
    HttpServer server;
    final List<String> requests = new CopyOnWriteArrayList<>();
    Path remote;
    String repository;

    @BeforeEach
    void launch() throws Exception {
        framework = new TestFramework(temp.resolve("felix"));
        remote = Files.createDirectories(temp.resolve("remote"));
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/maven2/", exchange -> {
            String path = exchange.getRequestURI().getPath().substring("/maven2/".length());
            requests.add(path);
            Path file = remote.resolve(path).normalize();
            if (!file.startsWith(remote) || !Files.isRegularFile(file)) {
                exchange.sendResponseHeaders(404, -1);
            } else {
                exchange.sendResponseHeaders(200, Files.size(file));
                try (OutputStream out = exchange.getResponseBody()) {
                    Files.copy(file, out);
                }
            }
            exchange.close();
        });
        server.start();
        repository = "http://127.0.0.1:" + server.getAddress().getPort() + "/maven2/";
    }

    @AfterEach
    void shutDown() throws Exception {
        server.stop(0);
        framework.close();
    }

    BundleSupervisor supervisor(String... repositories) {
        return new BundleSupervisor(framework.context(), SupervisorSettings.of(Configs.of(
                BundleModuleRuntime.Config.class, Map.of(
                        "localRepository", temp.resolve("m2").toString(),
                        "repositories", repositories,
                        "cacheDirectory", temp.resolve("cache").toString()))));
    }

    static ModuleSpec spec(String name, String location) {
        return new ModuleSpec(name, "bundle", "1", Map.of(), Map.of("location", location));
    }

    Path publish(String path, String symbolicName, boolean withChecksum) throws Exception {
        Path jar = bundle(symbolicName, "1.0.0").writeTo(remote.resolve(path));
        if (withChecksum) Files.writeString(remote.resolve(path + ".sha1"), HttpDownloader.sha1(jar) + "  file.jar\n");
        return jar;
    }

    @Test
    void anArtifactIsDownloadedOnceCheckedAndKeptForAnOfflineGateway() throws Exception {
        publish("com/example/flow/1.0.0/flow-1.0.0.jar", "com.example.flow", true);
        BundleSupervisor online = supervisor("http://127.0.0.1:1/unreachable", repository);
        try {
            online.create(spec("flow", "mvn:com.example/flow/1.0.0"));
            assertThat(online.module("flow").orElseThrow().status()).isEqualTo(RuntimeStatus.UNKNOWN);
            assertThat(requests).containsExactly("com/example/flow/1.0.0/flow-1.0.0.jar",
                    "com/example/flow/1.0.0/flow-1.0.0.jar.sha1");
            assertThat(temp.resolve("cache/repository/com/example/flow/1.0.0/flow-1.0.0.jar")).exists();
            try (var leftovers = Files.list(temp.resolve("cache/downloads"))) {
                assertThat(leftovers).isEmpty();
            }
            online.remove("flow");
        } finally {
            online.close();
        }
        server.stop(0);

        BundleSupervisor offline = supervisor();
        try {
            offline.create(spec("flow", "mvn:com.example/flow/1.0.0"));
            offline.start("flow");
            assertThat(offline.module("flow").orElseThrow().status()).isEqualTo(RuntimeStatus.RUNNING);
            assertThat(requests).hasSize(2);
        } finally {
            offline.close();
        }
    }

    @Test
    void aRepositoryWithoutChecksumsIsAcceptedAndAMismatchIsRefused() throws Exception {
        publish("com/example/plain/1.0.0/plain-1.0.0.jar", "com.example.plain", false);
        publish("com/example/tampered/1.0.0/tampered-1.0.0.jar", "com.example.tampered", false);
        Files.writeString(remote.resolve("com/example/tampered/1.0.0/tampered-1.0.0.jar.sha1"),
                "0123456789abcdef0123456789abcdef01234567");
        BundleSupervisor runtime = supervisor(repository);
        try {
            runtime.create(spec("plain", "mvn:com.example/plain/1.0.0"));
            assertThat(runtime.module("plain")).isPresent();

            int bundles = framework.context().getBundles().length;
            assertThatThrownBy(() -> runtime.create(spec("tampered", "mvn:com.example/tampered/1.0.0")))
                    .isInstanceOf(ModuleRuntimeException.class)
                    .hasMessageContaining("does not match its published SHA-1");
            assertThat(framework.context().getBundles()).hasSize(bundles);
            assertThat(temp.resolve("cache/repository/com/example/tampered")).doesNotExist();

            assertThatThrownBy(() -> runtime.create(spec("absent", "mvn:com.example/absent/1.0.0")))
                    .isInstanceOf(ModuleRuntimeException.class)
                    .hasMessageContaining("not in " + repository.substring(0, repository.length() - 1));
        } finally {
            runtime.close();
        }
    }

    @Test
    void aPlainHttpLocationIsDownloadedAndNotKept() throws Exception {
        publish("direct/valve.jar", "com.example.valve", false);
        BundleSupervisor runtime = supervisor();
        try {
            runtime.create(spec("valve", repository + "direct/valve.jar?token=abc"));
            assertThat(framework.context().getBundle("gatehouse-module:valve").getSymbolicName())
                    .isEqualTo("com.example.valve");
            assertThat(runtime.logs("valve", 1).get(0)).contains("/maven2/direct/valve.jar?…")
                    .doesNotContain("token=abc");
            try (var leftovers = Files.list(temp.resolve("cache/downloads"))) {
                assertThat(leftovers).isEmpty();
            }
            assertThatThrownBy(() -> runtime.create(spec("gone", repository + "direct/gone.jar")))
                    .isInstanceOf(ModuleRuntimeException.class).hasMessageContaining("was not found (HTTP 404)");
        } finally {
            runtime.close();
        }
    }
}
