package io.gatehouse.agent.internal.manifest;

import java.util.Objects;

/** What the agent reports as {@code lastDesiredStatus}: a code and a description an operator can act on. */
public record DeploymentStatus(DeploymentStatusCode code, String description) {

    public DeploymentStatus {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(description, "description");
    }

    public static DeploymentStatus successful() {
        return new DeploymentStatus(DeploymentStatusCode.SUCCESSFUL, "");
    }
}
