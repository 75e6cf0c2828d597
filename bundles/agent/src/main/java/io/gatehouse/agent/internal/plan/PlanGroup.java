package io.gatehouse.agent.internal.plan;

import java.util.Objects;

/**
 * The modules of one startupOrder. Groups run in ascending order, each finished before the next;
 * within a group the order is free. The executor handles a group's lists in the reference's order:
 * stop and remove {@code removed}, create and start {@code added}, recreate {@code updated}, apply
 * the restart policy to {@code stateChanged}, then start or stop {@code desiredStatusChanged}.
 */
public record PlanGroup(long startupOrder, ModuleDiff modules) {

    public PlanGroup {
        Objects.requireNonNull(modules, "modules");
    }
}
