package io.gatehouse.agent.internal.plan;

import io.gatehouse.agent.internal.manifest.ModuleDefinition;
import io.gatehouse.api.module.ModuleState;
import java.util.List;

/**
 * How the desired modules differ from the current ones (the reference's ModuleSet.Diff plus the
 * planner's split of unaffected modules). Each module is in exactly one list.
 *
 * @param added desired, and no runtime holds a module of that name: create and start
 * @param removed held by a runtime, not desired: stop and remove
 * @param updated desired and held, but its definition changed (anything but status; a new type or
 *        version included), or the last applied definition is unknown: recreate
 * @param desiredStatusChanged only the desired status changed since the last deployment: start or stop
 * @param stateChanged unchanged definition, but desired running and not running, or desired stopped
 *        and running: the restart policy decides
 * @param runningGreat unchanged definition and the runtime agrees with the desired status: nothing to do
 */
public record ModuleDiff(List<ModuleDefinition> added, List<ModuleState> removed, List<ModulePair> updated,
        List<ModulePair> desiredStatusChanged, List<ModulePair> stateChanged, List<ModulePair> runningGreat) {

    public ModuleDiff {
        added = List.copyOf(added);
        removed = List.copyOf(removed);
        updated = List.copyOf(updated);
        desiredStatusChanged = List.copyOf(desiredStatusChanged);
        stateChanged = List.copyOf(stateChanged);
        runningGreat = List.copyOf(runningGreat);
    }

    /** Nothing to create, remove, recreate, start or stop (the reference's empty plan). */
    public boolean isEmpty() {
        return added.isEmpty() && removed.isEmpty() && updated.isEmpty() && desiredStatusChanged.isEmpty()
                && stateChanged.isEmpty();
    }
}
