package io.gatehouse.agent.internal.restart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.agent.internal.manifest.ModuleStatus;
import io.gatehouse.agent.internal.manifest.RestartPolicy;
import io.gatehouse.api.module.ModuleState;
import io.gatehouse.api.module.RuntimeStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RestartPolicyManagerTest {

    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    final MutableClock clock = new MutableClock(T0);
    final RestartPolicyManager manager = new RestartPolicyManager(RestartSettings.DEFAULTS, clock);

    @Test
    void defaultsAreTheReferences() {
        assertThat(RestartSettings.DEFAULTS.maxRestartCount()).isEqualTo(20);
        assertThat(RestartSettings.DEFAULTS.coolOffTimeUnit()).hasSeconds(10);
        assertThat(RestartSettings.DEFAULTS.maxCoolOff()).hasSeconds(300);
        assertThat(RestartSettings.DEFAULTS.intensiveCareTime()).hasMinutes(10);
    }

    @Test
    void coolOffDoublesUpTo300Seconds() {
        List<Long> seconds = new ArrayList<>();
        for (int count = 0; count < 7; count++) seconds.add(manager.coolOff(count).toSeconds());
        assertThat(seconds).containsExactly(10L, 20L, 40L, 80L, 160L, 300L, 300L);
        assertThat(manager.coolOff(1000)).hasSeconds(300);
    }

    @Test
    void coolOffFollowsItsSettings() {
        RestartPolicyManager m = new RestartPolicyManager(
                new RestartSettings(3, Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofMinutes(1)), clock);
        assertThat(List.of(m.coolOff(0), m.coolOff(1), m.coolOff(2), m.coolOff(3))).containsExactly(
                Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(5));
        assertThat(m.statusFromPolicy(RestartPolicy.ALWAYS, ModuleStatus.FAILED, 3)).isEqualTo(ModuleStatus.FAILED);
        assertThat(m.statusFromPolicy(RestartPolicy.ALWAYS, ModuleStatus.FAILED, 2)).isEqualTo(ModuleStatus.BACKOFF);
    }

    @Test
    void badSettingsAreRefused() {
        assertThatThrownBy(() -> new RestartSettings(-1, Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RestartSettings(1, Duration.ofSeconds(-1), Duration.ofSeconds(1), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void statusFromPolicyFollowsTheReference() {
        // always: any exit goes to backoff
        assertThat(manager.statusFromPolicy(RestartPolicy.ALWAYS, ModuleStatus.STOPPED, 0)).isEqualTo(ModuleStatus.BACKOFF);
        assertThat(manager.statusFromPolicy(RestartPolicy.ALWAYS, ModuleStatus.FAILED, 19)).isEqualTo(ModuleStatus.BACKOFF);
        assertThat(manager.statusFromPolicy(RestartPolicy.ALWAYS, ModuleStatus.FAILED, 20)).isEqualTo(ModuleStatus.FAILED);
        // on-failure / on-unhealthy: only failures and unhealthy
        assertThat(manager.statusFromPolicy(RestartPolicy.ON_FAILURE, ModuleStatus.FAILED, 0)).isEqualTo(ModuleStatus.BACKOFF);
        assertThat(manager.statusFromPolicy(RestartPolicy.ON_FAILURE, ModuleStatus.STOPPED, 0)).isEqualTo(ModuleStatus.STOPPED);
        assertThat(manager.statusFromPolicy(RestartPolicy.ON_UNHEALTHY, ModuleStatus.UNHEALTHY, 0)).isEqualTo(ModuleStatus.BACKOFF);
        // never: the status stays
        assertThat(manager.statusFromPolicy(RestartPolicy.NEVER, ModuleStatus.FAILED, 0)).isEqualTo(ModuleStatus.FAILED);
        assertThat(manager.statusFromPolicy(RestartPolicy.NEVER, ModuleStatus.STOPPED, 0)).isEqualTo(ModuleStatus.STOPPED);
        // running stays running, dead stays dead
        assertThat(manager.statusFromPolicy(RestartPolicy.ALWAYS, ModuleStatus.RUNNING, 50)).isEqualTo(ModuleStatus.RUNNING);
        assertThat(manager.statusFromPolicy(RestartPolicy.ALWAYS, ModuleStatus.DEAD, 0)).isEqualTo(ModuleStatus.DEAD);
    }

    @Test
    void aFailedModuleWaitsOutItsCoolOffThenRestarts() {
        ModuleState failed = state(RuntimeStatus.FAILED, T0.minusSeconds(60), T0);
        RestartStats stats = new RestartStats(2, T0.minusSeconds(60));

        RestartDecision waiting = manager.decide(ModuleStatus.RUNNING, RestartPolicy.ALWAYS, failed, stats);
        assertThat(waiting.action()).isEqualTo(ModuleAction.NONE);
        assertThat(waiting.status()).isEqualTo(ModuleStatus.BACKOFF);
        assertThat(waiting.restartIn()).hasSeconds(40);
        assertThat(waiting.reason()).isEqualTo("Module 'm' scheduled to restart after 40s (40s left)");

        clock.advance(Duration.ofSeconds(26));
        assertThat(manager.decide(ModuleStatus.RUNNING, RestartPolicy.ALWAYS, failed, stats).reason())
                .isEqualTo("Module 'm' scheduled to restart after 40s (14s left)");

        clock.advance(Duration.ofSeconds(14)); // exactly the cool-off: the reference wants strictly more
        assertThat(manager.decide(ModuleStatus.RUNNING, RestartPolicy.ALWAYS, failed, stats).action())
                .isEqualTo(ModuleAction.NONE);

        clock.advance(Duration.ofMillis(1));
        RestartDecision now = manager.decide(ModuleStatus.RUNNING, RestartPolicy.ALWAYS, failed, stats);
        assertThat(now.action()).isEqualTo(ModuleAction.RESTART);
        assertThat(now.status()).isEqualTo(ModuleStatus.BACKOFF);
        assertThat(stats.restarted(clock.instant())).isEqualTo(new RestartStats(3, T0.plusSeconds(40).plusMillis(1)));
    }

    @Test
    void anExitTimeInTheFutureRestartsAtOnce() {
        ModuleState failed = state(RuntimeStatus.FAILED, T0.minusSeconds(5), T0.plusSeconds(3600));
        RestartDecision d = manager.decide(ModuleStatus.RUNNING, RestartPolicy.ON_FAILURE, failed, new RestartStats(4, T0));
        assertThat(d.action()).isEqualTo(ModuleAction.RESTART);
    }

    @Test
    void withoutAnExitTimeTheLastRestartTimeCounts() {
        ModuleState failedToStart = new ModuleState("m", "process", "1", RuntimeStatus.FAILED, null, null, null, "no such file");
        assertThat(manager.decide(ModuleStatus.RUNNING, RestartPolicy.ALWAYS, failedToStart, RestartStats.NONE).action())
                .isEqualTo(ModuleAction.RESTART);
        RestartDecision waiting = manager.decide(ModuleStatus.RUNNING, RestartPolicy.ALWAYS, failedToStart,
                new RestartStats(1, T0.minusSeconds(5)));
        assertThat(waiting.action()).isEqualTo(ModuleAction.NONE);
        assertThat(waiting.restartIn()).hasSeconds(15);
    }

    @Test
    void theAgentGivesUpAfterMaxRestartCount() {
        ModuleState failed = state(RuntimeStatus.FAILED, T0.minusSeconds(3600), T0.minusSeconds(3000));
        RestartDecision last = manager.decide(ModuleStatus.RUNNING, RestartPolicy.ALWAYS, failed, new RestartStats(19, T0.minusSeconds(3600)));
        assertThat(last.action()).isEqualTo(ModuleAction.RESTART);

        RestartDecision gaveUp = manager.decide(ModuleStatus.RUNNING, RestartPolicy.ALWAYS, failed, new RestartStats(20, T0.minusSeconds(3600)));
        assertThat(gaveUp.action()).isEqualTo(ModuleAction.NONE);
        assertThat(gaveUp.status()).isEqualTo(ModuleStatus.FAILED);
        assertThat(gaveUp.reason()).contains("restarted 20 times; the agent gave up");
    }

    @Test
    void aModuleRunningPastIntensiveCareHasItsStatsCleared() {
        RestartStats stats = new RestartStats(7, T0.minusSeconds(700));
        ModuleState running = state(RuntimeStatus.RUNNING, T0.minusSeconds(600), null);

        RestartDecision atTen = manager.decide(ModuleStatus.RUNNING, RestartPolicy.ALWAYS, running, stats);
        assertThat(atTen.action()).isEqualTo(ModuleAction.NONE);
        assertThat(atTen.resetStats()).isFalse();

        clock.advance(Duration.ofSeconds(1));
        RestartDecision after = manager.decide(ModuleStatus.RUNNING, RestartPolicy.ALWAYS, running, stats);
        assertThat(after.action()).isEqualTo(ModuleAction.NONE);
        assertThat(after.status()).isEqualTo(ModuleStatus.RUNNING);
        assertThat(after.resetStats()).isTrue();
        assertThat(after.reason()).contains("more than 10 min");

        assertThat(manager.decide(ModuleStatus.RUNNING, RestartPolicy.ALWAYS, running, RestartStats.NONE).resetStats())
                .as("nothing to clear").isFalse();
    }

    @Test
    void desiredStoppedStopsARunningModule() {
        RestartDecision d = manager.decide(ModuleStatus.STOPPED, RestartPolicy.ALWAYS,
                state(RuntimeStatus.RUNNING, T0.minusSeconds(5), null), RestartStats.NONE);
        assertThat(d.action()).isEqualTo(ModuleAction.STOP);
    }

    @ParameterizedTest
    @EnumSource(value = RuntimeStatus.class, names = {"STOPPED", "FAILED", "UNKNOWN"})
    void desiredStoppedLeavesAModuleThatDoesNotRunAlone(RuntimeStatus status) {
        RestartDecision d = manager.decide(ModuleStatus.STOPPED, RestartPolicy.ALWAYS,
                state(status, T0.minusSeconds(50), T0.minusSeconds(40)), new RestartStats(3, T0.minusSeconds(50)));
        assertThat(d.action()).isEqualTo(ModuleAction.NONE);
        assertThat(d.status()).isEqualTo(RestartPolicyManager.fromRuntime(status));
    }

    @ParameterizedTest
    @EnumSource(RestartPolicy.class)
    void aModuleNeverStartedIsStartedWhateverItsPolicy(RestartPolicy policy) {
        RestartDecision d = manager.decide(ModuleStatus.RUNNING, policy, state(RuntimeStatus.UNKNOWN, null, null),
                RestartStats.NONE);
        assertThat(d.action()).isEqualTo(ModuleAction.START);
    }

    @Test
    void neverDoesNotRestartAfterAnExit() {
        for (RuntimeStatus s : List.of(RuntimeStatus.FAILED, RuntimeStatus.STOPPED)) {
            RestartDecision d = manager.decide(ModuleStatus.RUNNING, RestartPolicy.NEVER,
                    state(s, T0.minusSeconds(600), T0.minusSeconds(500)), RestartStats.NONE);
            assertThat(d.action()).isEqualTo(ModuleAction.NONE);
            assertThat(d.status()).isEqualTo(RestartPolicyManager.fromRuntime(s));
            assertThat(d.reason()).contains("restartPolicy never does not restart it");
        }
    }

    @ParameterizedTest
    @EnumSource(value = RestartPolicy.class, names = {"ON_FAILURE", "ON_UNHEALTHY"})
    void onFailureRestartsAFailureButNotACleanExit(RestartPolicy policy) {
        ModuleState failed = state(RuntimeStatus.FAILED, T0.minusSeconds(600), T0.minusSeconds(500));
        assertThat(manager.decide(ModuleStatus.RUNNING, policy, failed, RestartStats.NONE).action())
                .isEqualTo(ModuleAction.RESTART);

        ModuleState clean = state(RuntimeStatus.STOPPED, T0.minusSeconds(600), T0.minusSeconds(500));
        RestartDecision d = manager.decide(ModuleStatus.RUNNING, policy, clean, RestartStats.NONE);
        assertThat(d.action()).isEqualTo(ModuleAction.NONE);
        assertThat(d.status()).isEqualTo(ModuleStatus.STOPPED);
        assertThat(d.reason()).contains("does not restart it after a clean exit");
    }

    @Test
    void alwaysRestartsACleanExitToo() {
        ModuleState clean = state(RuntimeStatus.STOPPED, T0.minusSeconds(600), T0.minusSeconds(500));
        RestartDecision d = manager.decide(ModuleStatus.RUNNING, RestartPolicy.ALWAYS, clean, RestartStats.NONE);
        assertThat(d.action()).isEqualTo(ModuleAction.RESTART);
        assertThat(d.reason()).isEqualTo("Module 'm' restarts (restart 1 of at most 20)");
    }

    @Test
    void aRunningModuleIsLeftAlone() {
        RestartDecision d = manager.decide(ModuleStatus.RUNNING, RestartPolicy.NEVER,
                state(RuntimeStatus.RUNNING, T0.minusSeconds(5), null), RestartStats.NONE);
        assertThat(d.action()).isEqualTo(ModuleAction.NONE);
        assertThat(d.status()).isEqualTo(ModuleStatus.RUNNING);
    }

    @Test
    void aDesiredStatusOtherThanRunningOrStoppedIsAProgrammingError() {
        assertThatThrownBy(() -> manager.decide(ModuleStatus.BACKOFF, RestartPolicy.ALWAYS,
                state(RuntimeStatus.RUNNING, T0, null), RestartStats.NONE)).isInstanceOf(IllegalArgumentException.class);
    }

    private static ModuleState state(RuntimeStatus status, Instant lastStart, Instant lastExit) {
        Integer exit = lastExit == null ? null : status == RuntimeStatus.FAILED ? 1 : 0;
        return new ModuleState("m", "process", "1.0", status, exit, lastStart, lastExit, "");
    }
}
