package io.gatehouse.supervisor.docker.internal;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.InspectContainerResponse.ContainerState;
import io.gatehouse.api.module.ModuleState;
import io.gatehouse.api.module.RuntimeStatus;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;

/** What {@code docker inspect} says of a container, as a module's state. */
final class ContainerStates {

    private ContainerStates() {
    }

    /**
     * @param stoppedOnRequest whether the container's last exit followed our {@code stop}: such an
     *        exit is {@link RuntimeStatus#STOPPED} whatever its code (137 after SIGKILL)
     */
    static ModuleState of(String name, InspectContainerResponse inspect, boolean stoppedOnRequest) {
        Map<String, String> labels = inspect.getConfig() == null ? Map.of() : inspect.getConfig().getLabels();
        String version = labels == null ? null : labels.get(ModuleLabels.VERSION);
        ContainerState state = inspect.getState();
        String status = state == null || state.getStatus() == null ? "unknown" : state.getStatus();
        Instant started = time(state == null ? null : state.getStartedAt());
        Instant finished = time(state == null ? null : state.getFinishedAt());
        Integer code = state == null ? null : state.getExitCode();
        boolean oom = state != null && Boolean.TRUE.equals(state.getOOMKilled());
        String error = state == null || state.getError() == null ? "" : state.getError().strip();

        RuntimeStatus runtimeStatus;
        String description;
        // Docker resets ExitCode when a container starts again, so only a stopped one has a true code
        Integer exitCode = null;
        switch (status) {
            case "running" -> {
                runtimeStatus = RuntimeStatus.RUNNING;
                description = "running";
            }
            case "paused" -> {
                runtimeStatus = RuntimeStatus.RUNNING;
                description = "running, but paused (docker unpause resumes it)";
            }
            case "restarting" -> {
                runtimeStatus = RuntimeStatus.UNKNOWN;
                description = "being restarted by Docker's own restart policy (set in createOptions"
                        + " HostConfig.RestartPolicy)";
            }
            case "exited" -> {
                if (oom) {
                    runtimeStatus = RuntimeStatus.FAILED;
                    description = "killed for running out of memory (exit code " + code + ")";
                } else if (stoppedOnRequest) {
                    runtimeStatus = RuntimeStatus.STOPPED;
                    description = "stopped on request (exit code " + code + ")";
                } else if (code != null && code == 0) {
                    runtimeStatus = RuntimeStatus.STOPPED;
                    description = "exited with code 0";
                } else {
                    runtimeStatus = RuntimeStatus.FAILED;
                    description = "exited with code " + code + (error.isEmpty() ? "" : ": " + error);
                }
                exitCode = code;
            }
            case "dead" -> {
                runtimeStatus = RuntimeStatus.FAILED;
                description = "dead: Docker could not stop or remove it" + (error.isEmpty() ? "" : ": " + error);
            }
            case "created" -> {
                if (!error.isEmpty()) {
                    // a start that failed leaves the container "created" with the reason
                    runtimeStatus = RuntimeStatus.FAILED;
                    description = "could not be started: " + error;
                    exitCode = code;
                } else {
                    runtimeStatus = RuntimeStatus.UNKNOWN;
                    description = "created, not started";
                }
            }
            case "removing" -> {
                runtimeStatus = RuntimeStatus.UNKNOWN;
                description = "being removed";
            }
            default -> {
                runtimeStatus = RuntimeStatus.UNKNOWN;
                description = "Docker reports the state '" + status + "'";
            }
        }
        return new ModuleState(name, DockerSettings.TYPE, version, runtimeStatus, exitCode, started, finished,
                description);
    }

    /** Docker's times; the zero time ({@code 0001-01-01T00:00:00Z}) means never. */
    static Instant time(String text) {
        if (text == null || text.isBlank() || text.startsWith("0001-01-01")) return null;
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
