package io.gatehouse.supervisor.bundle.internal;

import static io.gatehouse.supervisor.bundle.internal.Eventually.await;
import static io.gatehouse.supervisor.bundle.internal.TestBundles.bundle;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.api.module.ModuleRuntimeException;
import io.gatehouse.api.module.ModuleSpec;
import io.gatehouse.api.module.ModuleState;
import io.gatehouse.api.module.NoSuchModuleException;
import io.gatehouse.api.module.RuntimeStatus;
import io.gatehouse.supervisor.bundle.testbundles.ContentActivator;
import io.gatehouse.supervisor.bundle.testbundles.FailingActivator;
import io.gatehouse.supervisor.bundle.testbundles.FlakyActivator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Version;

class BundleSupervisorTest {

    static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path temp;

    TestFramework framework;
    BundleSupervisor runtime;
    final List<String> exits = new CopyOnWriteArrayList<>();

    @BeforeEach
    void launch() throws Exception {
        framework = new TestFramework(temp.resolve("felix"));
        runtime = supervisor(Map.of());
    }

    @AfterEach
    void shutDown() throws Exception {
        runtime.close();
        framework.close();
    }

    /** Offline, with an empty local repository, unless the test says otherwise. */
    BundleSupervisor supervisor(Map<String, Object> overrides) {
        Map<String, Object> config = new HashMap<>(overrides);
        config.putIfAbsent("localRepository", temp.resolve("m2").toString());
        config.putIfAbsent("repositories", new String[0]);
        config.putIfAbsent("cacheDirectory", temp.resolve("cache").toString());
        BundleSupervisor created = new BundleSupervisor(framework.context(),
                SupervisorSettings.of(Configs.of(BundleModuleRuntime.Config.class, config)));
        // a failing listener must not keep the others from being told
        created.addListener((type, name, code) -> {
            throw new IllegalStateException("listener failure (expected by the test)");
        });
        created.addListener((type, name, code) -> exits.add(type + ":" + name + ":" + code));
        return created;
    }

    static ModuleSpec spec(String name, String version, Object location) {
        return new ModuleSpec(name, "bundle", version, Map.of("IOTEDGE_MODULEID", name),
                Map.of("location", location));
    }

    BundleContext context() {
        return framework.context();
    }

    Bundle bundleOf(String name) {
        return context().getBundle("gatehouse-module:" + name);
    }

    ModuleState state(String name) {
        return runtime.module(name).orElseThrow();
    }

    static String content(String symbolicName) {
        return System.getProperty(ContentActivator.property(symbolicName));
    }

    String lastLogLine(String name) {
        try {
            List<String> lines = runtime.logs(name, 1);
            return lines.isEmpty() ? "" : lines.get(0);
        } catch (ModuleRuntimeException e) {
            throw new AssertionError(e);
        }
    }

    Path jar(String file, String symbolicName, String version, String content) throws Exception {
        return bundle(symbolicName, version).activator(ContentActivator.class).content(content)
                .writeTo(temp.resolve("jars").resolve(file));
    }

    @Test
    void registersAsTheBundleRuntime() {
        assertThat(runtime.type()).isEqualTo("bundle");
        assertThat(runtime.modules()).isEmpty();
    }

    @Test
    void aModuleIsInstalledStartedStoppedUpdatedInPlaceAndRemoved() throws Exception {
        Path v1 = jar("sensor-1.jar", "test.sensor", "1.0.0", "one");
        runtime.create(spec("sensor", "1", v1.toString()));

        Bundle bundle = bundleOf("sensor");
        long id = bundle.getBundleId();
        assertThat(bundle.getState()).isEqualTo(Bundle.INSTALLED);
        ModuleState created = state("sensor");
        assertThat(created.type()).isEqualTo("bundle");
        assertThat(created.version()).isEqualTo("1");
        assertThat(created.status()).isEqualTo(RuntimeStatus.UNKNOWN);
        assertThat(created.exitCode()).isNull();
        assertThat(created.lastStartTime()).isNull();
        assertThat(content("test.sensor")).isNull();

        runtime.start("sensor");
        assertThat(bundle.getState()).isEqualTo(Bundle.ACTIVE);
        assertThat(content("test.sensor")).isEqualTo("one");
        ModuleState running = state("sensor");
        assertThat(running.status()).isEqualTo(RuntimeStatus.RUNNING);
        assertThat(running.lastStartTime()).isNotNull();
        runtime.start("sensor"); // starting a running module changes nothing
        assertThat(state("sensor").lastStartTime()).isEqualTo(running.lastStartTime());

        runtime.stop("sensor", Duration.ofSeconds(5));
        assertThat(bundle.getState()).isEqualTo(Bundle.RESOLVED);
        assertThat(content("test.sensor")).isNull();
        ModuleState stopped = state("sensor");
        assertThat(stopped.status()).isEqualTo(RuntimeStatus.STOPPED);
        assertThat(stopped.exitCode()).isZero();
        assertThat(stopped.lastExitTime()).isNotNull();
        await("the stop is told", WAIT, () -> exits.size() == 1);
        assertThat(exits).containsExactly("bundle:sensor:0");
        runtime.stop("sensor", Duration.ofSeconds(5)); // stopping a stopped module changes nothing
        assertThat(state("sensor").lastExitTime()).isEqualTo(stopped.lastExitTime());

        Path v2 = jar("sensor-2.jar", "test.sensor", "2.0.0", "two");
        runtime.create(spec("sensor", "2", v2.toUri().toString()));
        assertThat(bundleOf("sensor").getBundleId()).as("updated in place").isEqualTo(id);
        assertThat(bundleOf("sensor").getVersion()).isEqualTo(Version.parseVersion("2.0.0"));
        assertThat(context().getBundles()).hasSize(2); // the system bundle and the module
        ModuleState updated = state("sensor");
        assertThat(updated.version()).isEqualTo("2");
        assertThat(updated.status()).isEqualTo(RuntimeStatus.UNKNOWN);

        runtime.start("sensor");
        assertThat(state("sensor").status()).isEqualTo(RuntimeStatus.RUNNING);
        assertThat(content("test.sensor")).as("the new revision's classes run").isEqualTo("two");

        List<String> log = runtime.logs("sensor", 100);
        assertThat(log).hasSize(5);
        assertThat(log.get(0)).contains("installed test.sensor 1.0.0 from " + v1, "as bundle id " + id);
        assertThat(log.get(1)).contains("started test.sensor 1.0.0");
        assertThat(log.get(2)).contains("stopped on request");
        assertThat(log.get(3)).contains("updated in place from test.sensor 1.0.0 to test.sensor 2.0.0");
        assertThat(log.get(4)).contains("started test.sensor 2.0.0");
        assertThat(runtime.logs("sensor", 1)).containsExactly(log.get(4));
        assertThat(runtime.logs("sensor", 0)).isEmpty();

        runtime.remove("sensor");
        assertThat(runtime.modules()).isEmpty();
        assertThat(context().getBundle(id)).isNull();
        assertThat(content("test.sensor")).isNull();
        assertThat(temp.resolve("cache/modules/sensor.properties")).doesNotExist();
        assertThat(temp.resolve("cache/modules/sensor.log")).doesNotExist();
        assertThatThrownBy(() -> runtime.logs("sensor", 10)).isInstanceOf(NoSuchModuleException.class);
        await("the removal of a running module is told", WAIT, () -> exits.size() == 2);
        assertThat(exits).containsExactly("bundle:sensor:0", "bundle:sensor:0");
        runtime.remove("sensor"); // removing an unknown module changes nothing
    }

    @Test
    void updatingARunningModuleSwapsItsClassesAndKeepsItRunning() throws Exception {
        runtime.create(spec("hot", "1", jar("hot-1.jar", "test.hot", "1.0.0", "one").toString()));
        runtime.start("hot");
        long id = bundleOf("hot").getBundleId();

        runtime.create(spec("hot", "2", jar("hot-2.jar", "test.hot", "1.1.0", "two").toString()));

        assertThat(bundleOf("hot").getBundleId()).isEqualTo(id);
        assertThat(bundleOf("hot").getState()).isEqualTo(Bundle.ACTIVE);
        assertThat(content("test.hot")).isEqualTo("two");
        ModuleState state = state("hot");
        assertThat(state.status()).isEqualTo(RuntimeStatus.RUNNING);
        assertThat(state.version()).isEqualTo("2");
        assertThat(runtime.logs("hot", 1).get(0)).contains("restarted with the new version");
        Thread.sleep(100);
        assertThat(exits).as("an update is no exit").isEmpty();
    }

    @Test
    void anUpdateThatCannotStartAgainFailsWithTheReason() throws Exception {
        runtime.create(spec("hot", "1", jar("hot-1.jar", "test.hot", "1.0.0", "one").toString()));
        runtime.start("hot");

        Path broken = bundle("test.hot", "2.0.0").activator(FailingActivator.class).writeTo(temp.resolve("hot-2.jar"));
        runtime.create(spec("hot", "2", broken.toString()));

        await("the restart failure is recorded", WAIT,
                () -> String.valueOf(state("hot").statusDescription()).contains(FailingActivator.REASON));
        ModuleState state = state("hot");
        assertThat(state.status()).isEqualTo(RuntimeStatus.FAILED);
        assertThat(state.exitCode()).isEqualTo(1);
        assertThat(state.version()).isEqualTo("2");
        assertThat(bundleOf("hot").getVersion()).isEqualTo(Version.parseVersion("2.0.0"));
        assertThat(content("test.hot")).isNull();
    }

    @Test
    void theComponentDelegatesToTheSupervisor() throws Exception {
        BundleModuleRuntime component = new BundleModuleRuntime(context(), Configs.of(BundleModuleRuntime.Config.class,
                Map.of("repositories", new String[0], "cacheDirectory", temp.resolve("cache").toString())));
        try {
            component.addListener((type, name, code) -> exits.add("component:" + name + ":" + code));
            assertThat(component.type()).isEqualTo("bundle");
            component.create(spec("via-ds", "1", jar("ds.jar", "test.ds", "1.0.0", "ds").toString()));
            component.start("via-ds");
            assertThat(component.module("via-ds").orElseThrow().status()).isEqualTo(RuntimeStatus.RUNNING);
            component.stop("via-ds", Duration.ofSeconds(1));
            await("the exit is told", WAIT, () -> exits.contains("component:via-ds:0"));
            assertThat(component.logs("via-ds", 10)).hasSize(3);
            component.remove("via-ds");
            assertThat(component.modules()).isEmpty();
        } finally {
            component.deactivate();
        }
    }

    @Test
    void relativePathsAndFileUrlsAreLocations() throws Exception {
        Path absolute = jar("rel.jar", "test.rel", "1.0.0", "rel");
        Path relative = Path.of("").toAbsolutePath().relativize(absolute);
        assertThat(relative.isAbsolute()).isFalse();
        runtime.create(spec("rel", "1", relative.toString()));
        runtime.create(spec("url", "1", jar("url.jar", "test.url", "1.0.0", "url").toUri().toString()));

        assertThat(runtime.modules()).extracting(ModuleState::name).containsExactly("rel", "url");
        assertThat(bundleOf("rel").getSymbolicName()).isEqualTo("test.rel");
        assertThat(bundleOf("url").getSymbolicName()).isEqualTo("test.url");
    }

    @Test
    void mvnCoordinatesAreResolvedFromTheLocalRepository() throws Exception {
        Path m2 = temp.resolve("m2");
        bundle("com.example.meter", "1.2.0").activator(ContentActivator.class).content("meter")
                .writeTo(m2.resolve("com/example/edge/meter/1.2.0/meter-1.2.0.jar"));
        bundle("com.example.valve", "3.0.0.SNAPSHOT")
                .writeTo(m2.resolve("com/example/edge/valve/3.0.0-SNAPSHOT/valve-3.0.0-SNAPSHOT-osgi.jar"));
        assertThat(m2.resolve("com/example/edge/meter/1.2.0/meter-1.2.0.jar")).exists();

        runtime.create(spec("meter", "1.2", "mvn:com.example.edge/meter/1.2.0"));
        runtime.create(spec("valve", "3", "mvn:com.example.edge/valve/3.0.0-SNAPSHOT/jar/osgi"));
        runtime.start("meter");

        assertThat(content("com.example.meter")).isEqualTo("meter");
        assertThat(bundleOf("valve").getSymbolicName()).isEqualTo("com.example.valve");
        assertThat(runtime.logs("meter", 10).get(0)).contains("from mvn:com.example.edge/meter/1.2.0");

        assertThatThrownBy(() -> runtime.create(spec("gauge", "1", "mvn:com.example.edge/gauge/1.0.0")))
                .isInstanceOf(ModuleRuntimeException.class)
                .hasMessageContaining("cannot find mvn:com.example.edge/gauge/1.0.0")
                .hasMessageContaining("not in the local repository " + m2)
                .hasMessageContaining("offline");
        assertThat(runtime.module("gauge")).isEmpty();
    }

    @Test
    void anUnresolvableBundleFailsWithTheMissingRequirement() throws Exception {
        Path jar = bundle("test.orphan", "1.0.0").header("Import-Package", "com.example.missing.api")
                .writeTo(temp.resolve("orphan.jar"));
        runtime.create(spec("orphan", "1", jar.toString()));

        assertThatThrownBy(() -> runtime.start("orphan"))
                .isInstanceOf(ModuleRuntimeException.class)
                .hasMessageContaining("module 'orphan' could not be started")
                .hasMessageContaining("com.example.missing.api");

        ModuleState state = state("orphan");
        assertThat(state.status()).isEqualTo(RuntimeStatus.FAILED);
        assertThat(state.exitCode()).isEqualTo(1);
        assertThat(state.lastExitTime()).isNotNull();
        assertThat(state.statusDescription()).contains("missing requirement", "com.example.missing.api");
        assertThat(runtime.logs("orphan", 1).get(0)).contains("failed to start", "com.example.missing.api");
        assertThat(bundleOf("orphan").getState()).isEqualTo(Bundle.INSTALLED);
    }

    @Test
    void anActivatorThatThrowsFailsWithItsReason() throws Exception {
        Path jar = bundle("test.failing", "1.0.0").activator(FailingActivator.class).writeTo(temp.resolve("f.jar"));
        runtime.create(spec("failing", "1", jar.toString()));

        assertThatThrownBy(() -> runtime.start("failing")).isInstanceOf(ModuleRuntimeException.class)
                .hasMessageContaining(FailingActivator.REASON);

        ModuleState state = state("failing");
        assertThat(state.status()).isEqualTo(RuntimeStatus.FAILED);
        assertThat(state.exitCode()).isEqualTo(1);
        assertThat(state.statusDescription()).contains(FailingActivator.REASON);
        assertThat(bundleOf("failing").getState()).isEqualTo(Bundle.RESOLVED);
        Thread.sleep(100);
        assertThat(exits).as("a module that never ran did not exit").isEmpty();
    }

    @Test
    void aLazyBundleRunsUntilItsFirstUse() throws Exception {
        Path jar = bundle("test.lazy", "1.0.0").header("Bundle-ActivationPolicy", "lazy")
                .activator(ContentActivator.class).content("lazy").writeTo(temp.resolve("lazy.jar"));
        runtime.create(spec("lazy", "1", jar.toString()));
        runtime.start("lazy");

        assertThat(bundleOf("lazy").getState()).isEqualTo(Bundle.STARTING);
        assertThat(state("lazy").status()).isEqualTo(RuntimeStatus.RUNNING);
        assertThat(state("lazy").statusDescription()).contains("lazy activation");
        assertThat(content("test.lazy")).isNull();
    }

    @Test
    void aStopFromOutsideIsAnExitAndAnUninstallFromOutsideForgetsTheModule() throws Exception {
        runtime.create(spec("pump", "1", jar("pump.jar", "test.pump", "1.0.0", "p").toString()));
        runtime.start("pump");
        Bundle bundle = bundleOf("pump");

        bundle.stop(); // as from a console
        await("the exit is told", WAIT, () -> exits.size() == 1);
        assertThat(exits).containsExactly("bundle:pump:0");
        ModuleState stopped = state("pump");
        assertThat(stopped.status()).isEqualTo(RuntimeStatus.STOPPED);
        assertThat(stopped.exitCode()).isZero();
        assertThat(stopped.statusDescription()).contains("stopped outside the runtime");

        bundle.start();
        await("an outside start is seen", WAIT, () -> lastLogLine("pump").contains("started outside"));
        assertThat(state("pump").status()).isEqualTo(RuntimeStatus.RUNNING);

        bundle.uninstall();
        await("the uninstall is handled", WAIT,
                () -> exits.size() == 2 && Files.notExists(temp.resolve("cache/modules/pump.properties")));
        assertThat(exits).containsExactly("bundle:pump:0", "bundle:pump:0");
        assertThat(runtime.modules()).isEmpty();
        assertThatThrownBy(() -> runtime.start("pump")).isInstanceOf(NoSuchModuleException.class);

        // and the module can be created again
        runtime.create(spec("pump", "1", temp.resolve("jars/pump.jar").toString()));
        assertThat(state("pump").status()).isEqualTo(RuntimeStatus.UNKNOWN);
    }

    @Test
    void aNewRuntimeOnTheSameFrameworkFindsItsModules() throws Exception {
        runtime.create(spec("running", "1.4", jar("a.jar", "test.a", "1.0.0", "a").toString()));
        runtime.start("running");
        runtime.create(spec("created", "2", jar("b.jar", "test.b", "1.0.0", "b").toString()));
        runtime.create(spec("stopped", "3", jar("c.jar", "test.c", "1.0.0", "c").toString()));
        runtime.start("stopped");
        runtime.stop("stopped", Duration.ofSeconds(1));
        Path failing = bundle("test.d", "1.0.0").activator(FailingActivator.class).writeTo(temp.resolve("d.jar"));
        runtime.create(spec("failed", "4", failing.toString()));
        assertThatThrownBy(() -> runtime.start("failed")).isInstanceOf(ModuleRuntimeException.class);
        List<ModuleState> before = runtime.modules();
        runtime.close();

        runtime = supervisor(Map.of());

        List<ModuleState> after = runtime.modules();
        assertThat(after).extracting(ModuleState::name).containsExactly("created", "failed", "running", "stopped");
        assertThat(after).extracting(ModuleState::version).containsExactly("2", "4", "1.4", "3");
        assertThat(after).extracting(ModuleState::status).containsExactly(RuntimeStatus.UNKNOWN,
                RuntimeStatus.FAILED, RuntimeStatus.RUNNING, RuntimeStatus.STOPPED);
        for (int i = 0; i < before.size(); i++) {
            assertThat(after.get(i).lastStartTime()).isEqualTo(before.get(i).lastStartTime());
            assertThat(after.get(i).exitCode()).isEqualTo(before.get(i).exitCode());
        }
        assertThat(state("failed").statusDescription()).contains(FailingActivator.REASON);
        assertThat(runtime.logs("running", 10).get(0)).contains("installed test.a 1.0.0");

        runtime.stop("running", Duration.ofSeconds(1));
        assertThat(bundleOf("running").getState()).isEqualTo(Bundle.RESOLVED);
    }

    @Test
    void modulesSurviveAFrameworkRestart() throws Exception {
        runtime.create(spec("keeps-running", "7", jar("k.jar", "test.k", "1.0.0", "k").toString()));
        runtime.start("keeps-running");
        runtime.create(spec("stays-stopped", "8", jar("s.jar", "test.s", "1.0.0", "s").toString()));
        runtime.start("stays-stopped");
        runtime.stop("stays-stopped", Duration.ofSeconds(1));
        runtime.close();
        framework.close();
        assertThat(content("test.k")).isNull();

        framework = new TestFramework(temp.resolve("felix"));
        runtime = supervisor(Map.of());

        assertThat(runtime.modules()).extracting(ModuleState::name).containsExactly("keeps-running", "stays-stopped");
        assertThat(state("keeps-running").status()).isEqualTo(RuntimeStatus.RUNNING);
        assertThat(state("keeps-running").version()).isEqualTo("7");
        assertThat(content("test.k")).isEqualTo("k");
        assertThat(state("stays-stopped").status()).isEqualTo(RuntimeStatus.STOPPED);
        assertThat(state("stays-stopped").version()).isEqualTo("8");
        assertThat(bundleOf("stays-stopped").getState()).isNotEqualTo(Bundle.ACTIVE);
        Thread.sleep(100);
        assertThat(exits).as("the requested stop only: stops of the framework's own shutdown are no exits")
                .containsExactly("bundle:stays-stopped:0");
    }

    @Test
    void aModuleTheFrameworkCannotStartAtItsRestartIsFailed() throws Exception {
        Path jar = bundle("test.flaky", "1.0.0").activator(FlakyActivator.class).writeTo(temp.resolve("flaky.jar"));
        runtime.create(spec("flaky", "1", jar.toString()));
        runtime.start("flaky");
        runtime.close();
        framework.close();
        System.setProperty(FlakyActivator.failProperty("test.flaky"), "true");
        try {
            // the runtime is there before the framework starts its bundles, as when it has the lower bundle id
            framework = new TestFramework(temp.resolve("felix"), false);
            runtime = supervisor(Map.of());
            assertThat(state("flaky").status()).isEqualTo(RuntimeStatus.UNKNOWN);
            assertThat(state("flaky").statusDescription()).contains("waiting for the framework");

            framework.start();

            await("the failure is recorded", WAIT, () -> state("flaky").status() == RuntimeStatus.FAILED);
            assertThat(state("flaky").exitCode()).isEqualTo(1);
            await("with its reason", WAIT,
                    () -> String.valueOf(state("flaky").statusDescription()).contains(FlakyActivator.REASON));
            assertThat(exits).as("a module that never ran did not exit").isEmpty();
        } finally {
            System.clearProperty(FlakyActivator.failProperty("test.flaky"));
        }
        runtime.start("flaky");
        assertThat(state("flaky").status()).isEqualTo(RuntimeStatus.RUNNING);
    }

    @Test
    void aBundleItDidNotInstallIsNeverListedNorTouched() throws Exception {
        Path jar = jar("foreign.jar", "test.foreign", "1.0.0", "foreign");
        Bundle foreign = context().installBundle(jar.toUri().toString());
        foreign.start();
        BundleSupervisor fresh = supervisor(Map.of());
        try {
            assertThat(runtime.modules()).isEmpty();
            assertThat(fresh.modules()).isEmpty();
            assertThat(runtime.module("foreign")).isEmpty();

            assertThatThrownBy(() -> runtime.create(spec("foreign", "1", jar.toString())))
                    .isInstanceOf(ModuleRuntimeException.class)
                    .hasMessageContaining("test.foreign 1.0.0 is already installed as bundle id " + foreign.getBundleId())
                    .hasMessageContaining("did not install");
            runtime.stop("foreign", Duration.ofSeconds(1));
            runtime.remove("foreign");

            assertThat(foreign.getState()).isEqualTo(Bundle.ACTIVE);
            assertThat(context().getBundles()).hasSize(2);
            assertThat(runtime.modules()).isEmpty();
            foreign.stop();
            Thread.sleep(100);
            assertThat(exits).isEmpty();
        } finally {
            fresh.close();
        }
    }

    @Test
    void refusedSpecsChangeNothing() throws Exception {
        runtime.create(spec("sensor", "1", jar("sensor-1.jar", "test.sensor", "1.0.0", "one").toString()));
        runtime.start("sensor");
        long id = bundleOf("sensor").getBundleId();
        int bundles = context().getBundles().length;
        List<String> logBefore = runtime.logs("sensor", 100);

        Path notAJar = Files.writeString(temp.resolve("notes.txt"), "not a jar");
        Path plainJar = TestBundles.plainJar().header("Main-Class", "x.Main").writeTo(temp.resolve("plain.jar"));
        Path fragment = bundle("test.fragment", "1.0.0").header("Fragment-Host", "test.sensor")
                .writeTo(temp.resolve("fragment.jar"));
        Path badVersion = bundle("test.badversion", "one.two").writeTo(temp.resolve("badversion.jar"));
        Path badImport = bundle("test.badimport", "1.0.0").header("Import-Package", "org.osgi.framework;version=\"[1\"")
                .writeTo(temp.resolve("badimport.jar"));
        int closedPort;
        try (var socket = new java.net.ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }

        Map<ModuleSpec, String> refused = new java.util.LinkedHashMap<>();
        refused.put(spec("sensor", "2", temp.resolve("missing.jar").toString()), "does not exist");
        refused.put(spec("sensor", "2", notAJar.toString()), "is not a jar file");
        refused.put(spec("sensor", "2", plainJar.toString()), "has no Bundle-SymbolicName");
        refused.put(spec("sensor", "2", fragment.toString()), "is a fragment");
        refused.put(spec("sensor", "2", badVersion.toString()), "is not an OSGi version");
        refused.put(spec("sensor", "2", badImport.toString()), "the framework refused the update");
        refused.put(spec("sensor", "2", "ftp://example.com/sensor.jar"), "has the scheme 'ftp'");
        refused.put(spec("sensor", "2", "mvn:com.example/only-two"), "is not mvn:groupId/artifactId/version");
        refused.put(spec("sensor", "2", "mvn:com.example/sensor/[1.0,2.0)"), "needs an exact version");
        refused.put(spec("sensor", "2", "mvn:com.example/../etc/1.0"), "may only contain");
        refused.put(spec("sensor", "2", "mvn:com.example/sensor/2.0.0"), "cannot find");
        refused.put(spec("sensor", "2", "http://127.0.0.1:" + closedPort + "/sensor.jar?sig=TOPSECRET"),
                "cannot download http://127.0.0.1:" + closedPort + "/sensor.jar?…");
        refused.put(spec("sensor", "2", 42), "settings.location is a Integer");
        refused.put(spec("sensor", "2", " "), "settings.location is empty");
        refused.put(new ModuleSpec("sensor", "bundle", "2", Map.of(), Map.of()), "settings.location is missing");
        refused.put(new ModuleSpec("sensor", "bundle", "2", Map.of(), Map.of("location", "x.jar", "locaton", "y")),
                "unknown setting 'locaton'");
        refused.put(new ModuleSpec("sensor", "process", "2", Map.of(), Map.of("location", "x.jar")),
                "runs type 'bundle' only");
        refused.put(spec("../sensor", "2", "x.jar"), "may only contain");
        refused.put(spec("other", "1", badImport.toString()), "the framework refused test.badimport 1.0.0");
        refused.put(spec("other", "1", temp.resolve("jars/sensor-1.jar").toString()),
                "test.sensor 1.0.0 is already installed as bundle id " + id + " by module 'sensor'");

        refused.forEach((spec, reason) -> {
            assertThatThrownBy(() -> runtime.create(spec)).as(spec.settings().toString())
                    .isInstanceOf(ModuleRuntimeException.class)
                    .hasMessageContaining(reason)
                    .hasMessageNotContaining("TOPSECRET");
            assertThat(context().getBundles()).as("after " + spec).hasSize(bundles);
        });

        ModuleState state = state("sensor");
        assertThat(state.version()).isEqualTo("1");
        assertThat(state.status()).isEqualTo(RuntimeStatus.RUNNING);
        assertThat(bundleOf("sensor").getBundleId()).isEqualTo(id);
        assertThat(bundleOf("sensor").getVersion()).isEqualTo(Version.parseVersion("1.0.0"));
        assertThat(bundleOf("sensor").getState()).isEqualTo(Bundle.ACTIVE);
        assertThat(content("test.sensor")).isEqualTo("one");
        assertThat(runtime.modules()).extracting(ModuleState::name).containsExactly("sensor");
        assertThat(runtime.logs("sensor", 100)).hasSize(logBefore.size() + 1)
                .last().asString().contains("refused");
        assertThat(String.join("\n", runtime.logs("sensor", 100))).doesNotContain("TOPSECRET");
        assertThat(exits).isEmpty();
    }

    @Test
    void unknownModulesAreReportedAndNotChanged() throws Exception {
        assertThatThrownBy(() -> runtime.start("ghost")).isInstanceOf(NoSuchModuleException.class);
        assertThatThrownBy(() -> runtime.logs("ghost", 5)).isInstanceOf(NoSuchModuleException.class);
        runtime.stop("ghost", Duration.ofSeconds(1));
        runtime.remove("ghost");
        assertThat(runtime.module("ghost")).isEmpty();
        runtime.create(spec("real", "1", jar("real.jar", "test.real", "1.0.0", "r").toString()));
        assertThatThrownBy(() -> runtime.logs("real", -1)).isInstanceOf(ModuleRuntimeException.class)
                .hasMessageContaining("tail");
    }
}
