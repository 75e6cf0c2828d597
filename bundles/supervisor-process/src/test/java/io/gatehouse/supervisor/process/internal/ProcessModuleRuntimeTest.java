package io.gatehouse.supervisor.process.internal;

import static io.gatehouse.supervisor.process.internal.Eventually.await;
import static io.gatehouse.supervisor.process.internal.Eventually.gone;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.api.module.ModuleEventListener;
import io.gatehouse.api.module.ModuleRuntimeException;
import io.gatehouse.api.module.ModuleSpec;
import io.gatehouse.api.module.ModuleState;
import io.gatehouse.api.module.RuntimeStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessModuleRuntimeTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path temp;

    private Path logs;
    private ProcessModuleRuntime runtime;
    private final List<String> exits = new CopyOnWriteArrayList<>();

    @BeforeEach
    void activate() {
        logs = temp.resolve("modules");
        runtime = runtime(Map.of());
    }

    @AfterEach
    void deactivate() {
        runtime.deactivate();
    }

    private ProcessModuleRuntime runtime(Map<String, Object> overrides) {
        Map<String, Object> config = new HashMap<>(overrides);
        config.putIfAbsent("logDirectory", logs.toString());
        ProcessModuleRuntime created = new ProcessModuleRuntime(Configs.of(ProcessModuleRuntime.Config.class, config));
        // a failing listener must not keep the others from being told
        created.addListener((type, name, code) -> {
            throw new IllegalStateException("listener failure (expected by the test)");
        });
        created.addListener((type, name, code) -> exits.add(type + ":" + name + ":" + code));
        return created;
    }

    private static ModuleSpec spec(String name, Map<String, String> env, Map<String, Object> settings) {
        return new ModuleSpec(name, "process", "1", env, settings);
    }

    private static ModuleSpec sh(String name, String script) {
        return spec(name, Map.of(), Map.of("command", List.of("/bin/sh", "-c", script)));
    }

    private ModuleState state(String name) {
        return runtime.module(name).orElseThrow();
    }

    private ModuleState awaitExit(String name) throws InterruptedException {
        await(name + " exits", WAIT, () -> state(name).status() != RuntimeStatus.RUNNING);
        return state(name);
    }

    private static long pidOf(ModuleState state) {
        Matcher m = Pattern.compile("pid (\\d+)").matcher(state.statusDescription());
        assertThat(m.find()).as(state.statusDescription()).isTrue();
        return Long.parseLong(m.group(1));
    }

    @Test
    void registersAsTheProcessRuntime() {
        assertThat(runtime.type()).isEqualTo("process");
        assertThat(runtime.modules()).isEmpty();
    }

    @Test
    void moduleGetsItsEnvironmentAndTheInheritedNamesOnly() throws Exception {
        String secret = System.getenv("GATEHOUSE_TEST_SECRET");
        assertThat(secret).as("surefire sets GATEHOUSE_TEST_SECRET in the gateway's environment").isNotNull();
        runtime.create(spec("env", Map.of("MODULE_VAR", "hello world", "LANG", "C.module"),
                Map.of("command", List.of("env"))));
        runtime.start("env");
        awaitExit("env");

        List<String> lines = runtime.logs("env", 1000);
        assertThat(lines).contains("MODULE_VAR=hello world", "LANG=C.module");
        if (System.getenv("PATH") != null) assertThat(lines).contains("PATH=" + System.getenv("PATH"));
        if (System.getenv("HOME") != null) assertThat(lines).contains("HOME=" + System.getenv("HOME"));
        Set<String> allowed = Set.of("PATH", "LANG", "TZ", "HOME", "MODULE_VAR");
        for (String gatewayVariable : System.getenv().keySet()) {
            if (allowed.contains(gatewayVariable)) continue;
            assertThat(lines).noneMatch(line -> line.startsWith(gatewayVariable + "="));
        }
        assertThat(String.join("\n", lines)).doesNotContain(secret);
    }

    @Test
    void runsInItsWorkingDirectory() throws Exception {
        Path work = Files.createDirectories(temp.resolve("work dir"));
        runtime.create(spec("wd", Map.of(), Map.of("command", List.of("pwd"), "workingDir", work.toString())));
        runtime.start("wd");
        awaitExit("wd");
        assertThat(runtime.logs("wd", 1)).containsExactly(work.toRealPath().toString());
    }

    @Test
    void exitZeroIsStoppedAndTheListenerIsToldOnce() throws Exception {
        runtime.create(sh("ok", "exit 0"));
        assertThat(state("ok").status()).isEqualTo(RuntimeStatus.UNKNOWN);
        runtime.start("ok");
        ModuleState exited = awaitExit("ok");

        assertThat(exited.status()).isEqualTo(RuntimeStatus.STOPPED);
        assertThat(exited.exitCode()).isZero();
        assertThat(exited.lastExitTime()).isNotNull().isAfterOrEqualTo(exited.lastStartTime());
        await("listener told", WAIT, () -> !exits.isEmpty());
        Thread.sleep(200);
        assertThat(exits).containsExactly("process:ok:0");
    }

    @Test
    void nonZeroExitIsFailedWithItsCode() throws Exception {
        runtime.create(sh("bad", "echo about to fail; exit 3"));
        runtime.start("bad");
        ModuleState exited = awaitExit("bad");

        assertThat(exited.status()).isEqualTo(RuntimeStatus.FAILED);
        assertThat(exited.exitCode()).isEqualTo(3);
        assertThat(exited.statusDescription()).contains("code 3");
        await("listener told", WAIT, () -> !exits.isEmpty());
        Thread.sleep(200);
        assertThat(exits).containsExactly("process:bad:3");
        assertThat(runtime.logs("bad", 10)).containsExactly("about to fail");

        // started again, it runs again and reports its next exit
        runtime.start("bad");
        await("second exit told", WAIT, () -> exits.size() == 2);
        assertThat(runtime.logs("bad", 10)).containsExactly("about to fail", "about to fail");
    }

    @Test
    void startingARunningModuleChangesNothing() throws Exception {
        runtime.create(spec("sleeper", Map.of(), Map.of("command", List.of("sleep", "30"))));
        runtime.start("sleeper");
        ModuleState first = state("sleeper");
        runtime.start("sleeper");
        assertThat(state("sleeper")).isEqualTo(first);
        assertThat(first.status()).isEqualTo(RuntimeStatus.RUNNING);
        assertThatThrownBy(() -> runtime.start("nobody")).isInstanceOf(ModuleRuntimeException.class)
                .hasMessageContaining("no process module named 'nobody'");
    }

    @Test
    void stopEndsAProcessThatHonoursSigterm() throws Exception {
        runtime.create(spec("sleeper", Map.of(), Map.of("command", List.of("sleep", "30"))));
        runtime.start("sleeper");
        long pid = pidOf(state("sleeper"));
        long started = System.nanoTime();
        runtime.stop("sleeper", Duration.ofSeconds(5));
        long tookMillis = (System.nanoTime() - started) / 1_000_000;

        ModuleState stopped = state("sleeper");
        assertThat(stopped.status()).isEqualTo(RuntimeStatus.STOPPED);
        assertThat(stopped.exitCode()).isEqualTo(143); // 128 + SIGTERM
        assertThat(stopped.statusDescription()).startsWith("stopped on request");
        assertThat(tookMillis).isLessThan(3000);
        assertThat(gone(pid)).isTrue();
        assertThat(exits).containsExactly("process:sleeper:143");
        runtime.stop("sleeper", Duration.ofSeconds(1)); // not running: changes nothing
        assertThat(state("sleeper")).isEqualTo(stopped);
    }

    @Test
    void stopKillsAProcessIgnoringSigtermAndItsChildAfterTheTimeout() throws Exception {
        runtime.create(sh("stubborn", "trap '' TERM; sleep 60 & echo child=$!; wait $!"));
        runtime.start("stubborn");
        long pid = pidOf(state("stubborn"));
        await("child started", WAIT, () -> logs("stubborn").stream().anyMatch(l -> l.startsWith("child=")));
        long child = Long.parseLong(logs("stubborn").get(0).substring("child=".length()));
        assertThat(gone(child)).isFalse();

        long started = System.nanoTime();
        runtime.stop("stubborn", Duration.ofSeconds(1));
        long tookMillis = (System.nanoTime() - started) / 1_000_000;

        assertThat(tookMillis).isBetween(900L, 8000L);
        ModuleState stopped = state("stubborn");
        assertThat(stopped.status()).isEqualTo(RuntimeStatus.STOPPED);
        assertThat(stopped.exitCode()).isEqualTo(137); // 128 + SIGKILL
        assertThat(stopped.statusDescription()).contains("killed");
        assertThat(gone(pid)).isTrue();
        await("child gone", Duration.ofSeconds(2), () -> gone(child));
    }

    private List<String> logs(String name) {
        try {
            return runtime.logs(name, 100);
        } catch (ModuleRuntimeException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void logsKeepOutputAndErrorsInOrderAndReturnTheTail() throws Exception {
        runtime.create(sh("talker", "i=1; while [ $i -le 50 ]; do echo line-$i; i=$((i+1)); done; echo oops >&2;"
                + " printf 'no newline'"));
        runtime.start("talker");
        awaitExit("talker");

        assertThat(runtime.logs("talker", 3)).containsExactly("line-50", "oops", "no newline");
        assertThat(runtime.logs("talker", 0)).isEmpty();
        List<String> all = runtime.logs("talker", 1000);
        assertThat(all).hasSize(52);
        assertThat(all.subList(0, 50)).isEqualTo(IntStream.rangeClosed(1, 50).mapToObj(i -> "line-" + i).toList());
        assertThat(logs.resolve("talker").resolve("output.log")).exists();
        assertThatThrownBy(() -> runtime.logs("talker", -1)).isInstanceOf(ModuleRuntimeException.class)
                .hasMessageContaining("tail");
    }

    @Test
    void logsAreRotatedAtTheCapAndKeptBounded() throws Exception {
        runtime.deactivate();
        runtime = runtime(Map.of("maxLogBytes", 1024L, "logFiles", 3));
        // 400 lines of 16 bytes: 6400 bytes, far more than 3 files of 1 KiB hold
        runtime.create(sh("chatty", "i=1000; while [ $i -lt 1400 ]; do echo line-$i-padding; i=$((i+1)); done"));
        runtime.start("chatty");
        awaitExit("chatty");

        Path dir = logs.resolve("chatty");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("output.log", "output.log.1", "output.log.2");
        }
        for (String file : List.of("output.log", "output.log.1", "output.log.2")) {
            assertThat(Files.size(dir.resolve(file))).isLessThanOrEqualTo(1024);
            assertThat(Files.readString(dir.resolve(file))).startsWith("line-").endsWith("-padding\n");
        }
        assertThat(runtime.logs("chatty", 3)).containsExactly("line-1397-padding", "line-1398-padding",
                "line-1399-padding");
        List<String> kept = runtime.logs("chatty", 100_000);
        assertThat(kept.size()).isBetween(113, 168); // 2 full files of 56 lines, and the current one
        int first = Integer.parseInt(kept.get(0).substring(5, 9));
        assertThat(kept).isEqualTo(IntStream.range(first, 1400).mapToObj(i -> "line-" + i + "-padding").toList());
    }

    @Test
    void invalidSpecsAreRefusedWithAReasonAndChangeNothing() throws Exception {
        ModuleSpec running = new ModuleSpec("victim", "process", "1", Map.of(),
                Map.of("command", List.of("sleep", "30")));
        runtime.create(running);
        runtime.start("victim");
        ModuleState before = state("victim");
        Path file = Files.writeString(temp.resolve("a-file"), "x");

        Map<ModuleSpec, String> refusals = new java.util.LinkedHashMap<>();
        refusals.put(spec("victim", Map.of(), Map.of()), "settings.command is missing");
        refusals.put(spec("victim", Map.of(), Map.of("command", List.of())), "settings.command is empty");
        refusals.put(spec("victim", Map.of(), Map.of("command", "sleep 30")), "settings.command is a String");
        refusals.put(spec("victim", Map.of(), Map.of("command", List.of("echo", 5))), "settings.command[1] is a Integer");
        List<Object> withNull = new ArrayList<>();
        withNull.add("echo");
        withNull.add(null);
        refusals.put(spec("victim", Map.of(), Map.of("command", withNull)), "settings.command[1] is null");
        refusals.put(spec("victim", Map.of(), Map.of("command", List.of(" "))), "the program, is empty");
        refusals.put(spec("victim", Map.of(), Map.of("command", List.of("pwd"), "workingDir", file.toString())),
                "is not an existing directory");
        refusals.put(spec("victim", Map.of(), Map.of("command", List.of("pwd"), "workingDir",
                temp.resolve("missing").toString())), "is not an existing directory");
        refusals.put(spec("victim", Map.of(), Map.of("command", List.of("pwd"), "workingDir", 7)),
                "settings.workingDir must be the path of an existing directory");
        refusals.put(spec("victim", Map.of(), Map.of("command", List.of("pwd"), "workdir", "/tmp")),
                "unknown setting 'workdir'");
        refusals.put(spec("victim", Map.of("A=B", "x"), Map.of("command", List.of("pwd"))),
                "environment variable name 'A=B' is not allowed");
        refusals.put(new ModuleSpec("victim", "docker", "1", Map.of(), Map.of("command", List.of("pwd"))),
                "this runtime runs type 'process' only");
        Map<String, Object> ok = Map.of("command", List.of("pwd"));
        refusals.put(spec("victim", Map.of(), ok), "is running; stop it before replacing it");
        refusals.put(spec("../etc", Map.of(), ok), "may only contain letters, digits");
        refusals.put(spec("a/b", Map.of(), ok), "may only contain letters, digits");
        refusals.put(spec("$edgeAgent", Map.of(), ok), "may only contain letters, digits");
        refusals.put(spec("..", Map.of(), ok), "is not allowed");
        refusals.put(spec(".", Map.of(), ok), "is not allowed");
        refusals.put(spec("", Map.of(), ok), "needs a name");
        refusals.put(spec("x".repeat(65), Map.of(), ok), "at most 64");

        for (Map.Entry<ModuleSpec, String> refusal : refusals.entrySet()) {
            assertThatThrownBy(() -> runtime.create(refusal.getKey())).as(refusal.getValue())
                    .isInstanceOf(ModuleRuntimeException.class).hasMessageContaining(refusal.getValue());
            assertThat(runtime.modules()).containsExactly(state("victim"));
            assertThat(state("victim")).isEqualTo(before);
        }
        assertThat(ProcessHandle.of(pidOf(before)).map(ProcessHandle::isAlive)).contains(true);
        try (var dirs = Files.list(logs)) {
            assertThat(dirs.map(p -> p.getFileName().toString())).containsExactly("victim");
        }

        // once stopped it may be replaced, and the replacement starts afresh
        runtime.stop("victim", Duration.ofSeconds(5));
        runtime.create(new ModuleSpec("victim", "process", "2", Map.of(), ok));
        ModuleState replaced = state("victim");
        assertThat(replaced.version()).isEqualTo("2");
        assertThat(replaced.status()).isEqualTo(RuntimeStatus.UNKNOWN);
        assertThat(replaced.exitCode()).isNull();
    }

    @Test
    void aProgramThatCannotBeFoundFailsWithTheReason() throws Exception {
        runtime.create(spec("ghost", Map.of(), Map.of("command", List.of("gatehouse-no-such-program", "x"))));
        assertThatThrownBy(() -> runtime.start("ghost")).isInstanceOf(ModuleRuntimeException.class)
                .hasMessageContaining("gatehouse-no-such-program");
        ModuleState failed = state("ghost");
        assertThat(failed.status()).isEqualTo(RuntimeStatus.FAILED);
        assertThat(failed.statusDescription()).contains("could not start gatehouse-no-such-program")
                .contains("No such file or directory");
        assertThat(failed.lastStartTime()).isNotNull();
        assertThat(exits).isEmpty();
    }

    @Test
    void removeStopsTheModuleAndDeletesItsLogs() throws Exception {
        runtime.create(sh("gone", "echo hello; sleep 30"));
        runtime.start("gone");
        long pid = pidOf(state("gone"));
        await("output", WAIT, () -> logs("gone").contains("hello"));
        assertThat(logs.resolve("gone")).isDirectory();

        runtime.remove("gone");

        assertThat(gone(pid)).isTrue();
        assertThat(logs.resolve("gone")).doesNotExist();
        assertThat(runtime.module("gone")).isEmpty();
        assertThat(runtime.modules()).isEmpty();
        assertThatThrownBy(() -> runtime.logs("gone", 5)).isInstanceOf(ModuleRuntimeException.class)
                .hasMessageContaining("no process module named 'gone'");
        runtime.remove("gone"); // nothing left: changes nothing
        assertThatThrownBy(() -> runtime.remove("../modules")).isInstanceOf(ModuleRuntimeException.class);
        assertThat(logs).isDirectory();
    }

    @Test
    void deactivationStopsEveryModuleItStarted() throws Exception {
        List<Long> pids = new ArrayList<>();
        for (String name : List.of("one", "two")) {
            runtime.create(spec(name, Map.of(), Map.of("command", List.of("sleep", "30"))));
            runtime.start(name);
            pids.add(pidOf(state(name)));
        }
        runtime.create(sh("idle", "exit 0")); // created, never started

        long started = System.nanoTime();
        runtime.deactivate();
        assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(4000);

        for (long pid : pids) assertThat(gone(pid)).isTrue();
        assertThat(state("one").status()).isEqualTo(RuntimeStatus.STOPPED);
        assertThat(state("two").status()).isEqualTo(RuntimeStatus.STOPPED);
        assertThat(exits).containsExactlyInAnyOrder("process:one:143", "process:two:143");
        assertThatThrownBy(() -> runtime.start("idle")).isInstanceOf(ModuleRuntimeException.class)
                .hasMessageContaining("stopping");
        assertThatThrownBy(() -> runtime.create(sh("late", "exit 0"))).isInstanceOf(ModuleRuntimeException.class)
                .hasMessageContaining("stopping");
    }

    @Test
    void badConfigurationIsRefused() {
        assertThatThrownBy(() -> runtime(Map.of("logFiles", 0))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("logFiles");
        assertThatThrownBy(() -> runtime(Map.of("maxLogBytes", 10L))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxLogBytes");
        assertThatThrownBy(() -> runtime(Map.of("logDirectory", " "))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("logDirectory");
    }

    @Test
    void inheritEnvironmentGivenAsOneCommaSeparatedString() throws Exception {
        runtime.deactivate();
        runtime = runtime(Map.of("inheritEnvironment", new String[] {"GATEHOUSE_TEST_SECRET, PATH"}));
        runtime.create(sh("inherit", "echo \"secret=$GATEHOUSE_TEST_SECRET\"; echo \"home=$HOME\""));
        runtime.start("inherit");
        awaitExit("inherit");
        assertThat(runtime.logs("inherit", 2)).containsExactly("secret=" + System.getenv("GATEHOUSE_TEST_SECRET"),
                "home=");
    }

    @Test
    void callsFromManyThreadsLeaveAConsistentState() throws Exception {
        runtime.create(spec("busy", Map.of(), Map.of("command", List.of("sleep", "30"))));
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        try {
            for (int t = 0; t < 4; t++) {
                int seed = t;
                pool.submit(() -> {
                    java.util.Random random = new java.util.Random(seed);
                    for (int i = 0; i < 25; i++) {
                        try {
                            switch (random.nextInt(4)) {
                                case 0 -> runtime.start("busy");
                                case 1 -> runtime.stop("busy", Duration.ofSeconds(2));
                                case 2 -> assertThat(runtime.modules()).hasSize(1);
                                default -> runtime.logs("busy", 10);
                            }
                        } catch (Throwable e) {
                            failures.add(e);
                        }
                    }
                });
            }
        } finally {
            pool.shutdown();
            assertThat(pool.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        }
        assertThat(failures).isEmpty();
        runtime.stop("busy", Duration.ofSeconds(2));
        assertThat(state("busy").status()).isEqualTo(RuntimeStatus.STOPPED);
        assertThat(ProcessHandle.current().children().filter(ProcessTree::running)
                .filter(p -> p.info().command().orElse("").endsWith("sleep"))).isEmpty();
        // every exit was a stop on request
        assertThat(exits).allMatch(e -> e.equals("process:busy:143"));
    }

    @Test
    void aChangedConfigurationAppliesToModulesCreatedAfterIt() throws Exception {
        Path elsewhere = temp.resolve("elsewhere");
        runtime.create(sh("before", "echo before"));
        runtime.modified(Configs.of(ProcessModuleRuntime.Config.class, Map.of("logDirectory", elsewhere.toString())));
        runtime.create(sh("after", "echo after"));
        runtime.start("before");
        runtime.start("after");
        awaitExit("before");
        awaitExit("after");
        assertThat(logs.resolve("before/output.log")).hasContent("before");
        assertThat(elsewhere.resolve("after/output.log")).hasContent("after");
        assertThat(elsewhere.resolve("before")).doesNotExist();
    }
}
