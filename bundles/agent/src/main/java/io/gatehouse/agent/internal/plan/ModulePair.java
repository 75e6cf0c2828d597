package io.gatehouse.agent.internal.plan;

import io.gatehouse.agent.internal.manifest.ModuleDefinition;
import io.gatehouse.api.module.ModuleState;
import java.util.Objects;

/** A module the deployment wants and a runtime holds. */
public record ModulePair(ModuleDefinition desired, ModuleState current) {

    public ModulePair {
        Objects.requireNonNull(desired, "desired");
        Objects.requireNonNull(current, "current");
    }

    public String name() {
        return desired.name();
    }
}
