package io.gatehouse.agent.internal.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.agent.internal.manifest.ImagePullPolicy;
import io.gatehouse.agent.internal.manifest.ModuleDefinition;
import io.gatehouse.agent.internal.manifest.ModuleSettings;
import io.gatehouse.agent.internal.manifest.ModuleStatus;
import io.gatehouse.agent.internal.manifest.RestartPolicy;
import io.gatehouse.api.module.ModuleState;
import io.gatehouse.api.module.RuntimeStatus;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeploymentPlannerTest {

    final DeploymentPlanner planner = new DeploymentPlanner();

    @Test
    void classifiesEveryModuleOnce() {
        ModuleDefinition kept = module("kept", ModuleStatus.RUNNING, 1, "1.0", Map.of());
        ModuleDefinition crashed = module("crashed", ModuleStatus.RUNNING, 1, "1.0", Map.of());
        ModuleDefinition halted = module("halted", ModuleStatus.STOPPED, 2, "1.0", Map.of());
        ModuleDefinition toStop = module("toStop", ModuleStatus.STOPPED, 2, "1.0", Map.of());
        ModuleDefinition newEnv = module("newEnv", ModuleStatus.RUNNING, 2, "1.0", Map.of("A", "2"));
        ModuleDefinition fresh = module("fresh", ModuleStatus.RUNNING, 0, "1.0", Map.of());
        Map<String, ModuleDefinition> desired = byName(kept, crashed, halted, toStop, newEnv, fresh);
        Map<String, ModuleDefinition> applied = byName(kept, crashed, halted, toStop.withStatus(ModuleStatus.RUNNING),
                module("newEnv", ModuleStatus.RUNNING, 2, "1.0", Map.of("A", "1")),
                module("gone", ModuleStatus.RUNNING, 3, "1.0", Map.of()));
        List<ModuleState> current = List.of(
                state("kept", RuntimeStatus.RUNNING, "1.0"),
                state("crashed", RuntimeStatus.FAILED, "1.0"),
                state("halted", RuntimeStatus.STOPPED, "1.0"),
                state("toStop", RuntimeStatus.RUNNING, "1.0"),
                state("newEnv", RuntimeStatus.RUNNING, "1.0"),
                state("gone", RuntimeStatus.RUNNING, "1.0"));

        ModuleDiff diff = planner.diff(desired, applied, current);

        assertThat(diff.added()).extracting(ModuleDefinition::name).containsExactly("fresh");
        assertThat(diff.removed()).extracting(ModuleState::name).containsExactly("gone");
        assertThat(diff.updated()).extracting(ModulePair::name).containsExactly("newEnv");
        assertThat(diff.desiredStatusChanged()).extracting(ModulePair::name).containsExactly("toStop");
        assertThat(diff.stateChanged()).extracting(ModulePair::name).containsExactly("crashed");
        assertThat(diff.runningGreat()).extracting(ModulePair::name).containsExactlyInAnyOrder("kept", "halted");
        assertThat(diff.isEmpty()).isFalse();
    }

    @Test
    void aNewVersionOrTypeOrAnUnknownPastIsAnUpdate() {
        ModuleDefinition d = module("m", ModuleStatus.RUNNING, 1, "2.0", Map.of());
        ModuleDefinition sameButOldVersion = module("m", ModuleStatus.RUNNING, 1, "1.0", Map.of());

        assertThat(planner.diff(byName(d), byName(sameButOldVersion), List.of(state("m", RuntimeStatus.RUNNING, "1.0")))
                .updated()).hasSize(1);
        assertThat(planner.diff(byName(d), Map.of(), List.of(state("m", RuntimeStatus.RUNNING, "2.0")))
                .updated()).as("nothing applied is known").hasSize(1);
        ModuleState otherType = new ModuleState("m", "docker", "2.0", RuntimeStatus.RUNNING, null, Instant.EPOCH, null, "");
        assertThat(planner.diff(byName(d), byName(d), List.of(otherType)).updated()).hasSize(1);
        assertThat(planner.diff(byName(d), byName(d), List.of(state("m", RuntimeStatus.RUNNING, "2.0"))).isEmpty())
                .isTrue();
    }

    @Test
    void aSettledDeploymentIsAnEmptyPlan() {
        ModuleDefinition a = module("a", ModuleStatus.RUNNING, 1, "1", Map.of());
        ModuleDefinition b = module("b", ModuleStatus.STOPPED, 1, "1", Map.of());
        ModuleDiff diff = planner.diff(byName(a, b), byName(a, b),
                List.of(state("a", RuntimeStatus.RUNNING, "1"), state("b", RuntimeStatus.FAILED, "1")));
        assertThat(diff.isEmpty()).isTrue();
        assertThat(diff.runningGreat()).hasSize(2);
    }

    @Test
    void groupsByStartupOrderAscending() {
        ModuleDefinition hub = module("hub", ModuleStatus.RUNNING, 0, "1", Map.of());
        ModuleDefinition db = module("db", ModuleStatus.RUNNING, 10, "1", Map.of());
        ModuleDefinition api = module("api", ModuleStatus.RUNNING, 20, "1", Map.of());
        ModuleDefinition web = module("web", ModuleStatus.RUNNING, 20, "1", Map.of());
        ModuleDefinition later = module("later", ModuleStatus.RUNNING, ModuleDefinition.DEFAULT_STARTUP_ORDER, "1", Map.of());
        ModuleDefinition oldDb = module("oldDb", ModuleStatus.RUNNING, 10, "1", Map.of());
        Map<String, ModuleDefinition> applied = byName(db, oldDb);
        ModuleDiff diff = planner.diff(byName(later, web, api, db, hub), applied, List.of(
                state("db", RuntimeStatus.FAILED, "1"), state("oldDb", RuntimeStatus.RUNNING, "1"),
                state("stray", RuntimeStatus.RUNNING, "1")));

        List<PlanGroup> groups = planner.group(diff, applied);

        assertThat(groups).extracting(PlanGroup::startupOrder).containsExactly(0L, 10L, 20L, 4294967295L);
        assertThat(groups.get(0).modules().added()).extracting(ModuleDefinition::name).containsExactly("hub");
        assertThat(groups.get(1).modules().stateChanged()).extracting(ModulePair::name).containsExactly("db");
        assertThat(groups.get(1).modules().removed()).extracting(ModuleState::name).containsExactly("oldDb");
        assertThat(groups.get(2).modules().added()).extracting(ModuleDefinition::name).containsExactlyInAnyOrder("api", "web");
        assertThat(groups.get(3).modules().added()).extracting(ModuleDefinition::name).containsExactly("later");
        assertThat(groups.get(3).modules().removed()).as("a removed module of unknown order goes last")
                .extracting(ModuleState::name).containsExactly("stray");
    }

    @Test
    void aChangeOfStatusAloneIsNotAnUpdate() {
        ModuleDefinition running = module("m", ModuleStatus.RUNNING, 1, "1", Map.of("K", "v"));
        assertThat(running.sameConfigAs(running.withStatus(ModuleStatus.STOPPED))).isTrue();
        assertThat(running.sameConfigAs(module("m", ModuleStatus.RUNNING, 2, "1", Map.of("K", "v")))).isFalse();
        ModuleDiff diff = planner.diff(byName(running.withStatus(ModuleStatus.STOPPED)), byName(running),
                List.of(state("m", RuntimeStatus.RUNNING, "1")));
        assertThat(diff.desiredStatusChanged()).hasSize(1);
        assertThat(diff.updated()).isEmpty();
    }

    private static ModuleDefinition module(String name, ModuleStatus status, long order, String version,
            Map<String, String> env) {
        return new ModuleDefinition(name, "process", version, status, RestartPolicy.ALWAYS, ImagePullPolicy.ON_CREATE,
                order, env, new ModuleSettings(null, "{}", null, Map.of("command", List.of("run"))));
    }

    private static ModuleState state(String name, RuntimeStatus status, String version) {
        return new ModuleState(name, "process", version, status, null, Instant.EPOCH, null, "");
    }

    private static Map<String, ModuleDefinition> byName(ModuleDefinition... modules) {
        Map<String, ModuleDefinition> map = new LinkedHashMap<>();
        for (ModuleDefinition m : modules) map.put(m.name(), m);
        return map;
    }
}
