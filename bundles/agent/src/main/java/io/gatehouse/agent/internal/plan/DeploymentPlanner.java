package io.gatehouse.agent.internal.plan;

import io.gatehouse.agent.internal.manifest.ModuleDefinition;
import io.gatehouse.agent.internal.manifest.ModuleStatus;
import io.gatehouse.api.module.ModuleState;
import io.gatehouse.api.module.RuntimeStatus;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.ToLongFunction;

/**
 * Compares a deployment with what runs and orders the work by startupOrder. Pure: it decides
 * nothing about timing (that is the restart policy's) and calls no runtime.
 */
public final class DeploymentPlanner {

    /**
     * @param desired the deployment's modules by name
     * @param applied the modules of the last deployment applied, by name (empty when unknown); a
     *        runtime only knows a module's name, type and version, so this is what tells an
     *        updated definition from a status change
     * @param current every module the runtimes hold
     */
    public ModuleDiff diff(Map<String, ModuleDefinition> desired, Map<String, ModuleDefinition> applied,
            Collection<ModuleState> current) {
        Map<String, ModuleState> held = new LinkedHashMap<>();
        for (ModuleState s : current) held.put(s.name(), s);

        List<ModuleDefinition> added = new ArrayList<>();
        List<ModulePair> updated = new ArrayList<>();
        List<ModulePair> statusChanged = new ArrayList<>();
        List<ModulePair> stateChanged = new ArrayList<>();
        List<ModulePair> great = new ArrayList<>();
        for (ModuleDefinition d : desired.values()) {
            ModuleState s = held.get(d.name());
            if (s == null) {
                added.add(d);
                continue;
            }
            ModulePair pair = new ModulePair(d, s);
            ModuleDefinition before = applied.get(d.name());
            if (before == null || !before.sameConfigAs(d) || !Objects.equals(s.type(), d.type())
                    || (s.version() != null && !s.version().equals(d.version()))) {
                updated.add(pair);
            } else if (before.status() != d.status()) {
                statusChanged.add(pair);
            } else if ((d.status() == ModuleStatus.RUNNING) != (s.status() == RuntimeStatus.RUNNING)) {
                stateChanged.add(pair);
            } else {
                great.add(pair);
            }
        }
        List<ModuleState> removed = new ArrayList<>();
        for (ModuleState s : held.values()) {
            if (!desired.containsKey(s.name())) removed.add(s);
        }
        return new ModuleDiff(added, removed, updated, statusChanged, stateChanged, great);
    }

    /**
     * The diff split by startupOrder, lowest first; groups with nothing in them are left out. A
     * removed module belongs to the group of its last applied startupOrder (unknown: the last group).
     */
    public List<PlanGroup> group(ModuleDiff diff, Map<String, ModuleDefinition> applied) {
        TreeMap<Long, Builder> groups = new TreeMap<>();
        ToLongFunction<ModuleState> removedOrder = s -> {
            ModuleDefinition before = applied.get(s.name());
            return before == null ? ModuleDefinition.DEFAULT_STARTUP_ORDER : before.startupOrder();
        };
        diff.added().forEach(d -> groups.computeIfAbsent(d.startupOrder(), k -> new Builder()).added.add(d));
        diff.removed().forEach(s -> groups.computeIfAbsent(removedOrder.applyAsLong(s), k -> new Builder()).removed.add(s));
        diff.updated().forEach(p -> builder(groups, p).updated.add(p));
        diff.desiredStatusChanged().forEach(p -> builder(groups, p).statusChanged.add(p));
        diff.stateChanged().forEach(p -> builder(groups, p).stateChanged.add(p));
        diff.runningGreat().forEach(p -> builder(groups, p).great.add(p));
        List<PlanGroup> plan = new ArrayList<>();
        groups.forEach((order, b) -> plan.add(new PlanGroup(order, b.build())));
        return plan;
    }

    private static Builder builder(TreeMap<Long, Builder> groups, ModulePair p) {
        return groups.computeIfAbsent(p.desired().startupOrder(), k -> new Builder());
    }

    private static final class Builder {
        final List<ModuleDefinition> added = new ArrayList<>();
        final List<ModuleState> removed = new ArrayList<>();
        final List<ModulePair> updated = new ArrayList<>();
        final List<ModulePair> statusChanged = new ArrayList<>();
        final List<ModulePair> stateChanged = new ArrayList<>();
        final List<ModulePair> great = new ArrayList<>();

        ModuleDiff build() {
            added.sort(Comparator.comparing(ModuleDefinition::name));
            removed.sort(Comparator.comparing(ModuleState::name));
            Comparator<ModulePair> byName = Comparator.comparing(ModulePair::name);
            updated.sort(byName);
            statusChanged.sort(byName);
            stateChanged.sort(byName);
            great.sort(byName);
            return new ModuleDiff(added, removed, updated, statusChanged, stateChanged, great);
        }
    }
}
