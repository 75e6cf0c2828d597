package io.gatehouse.supervisor.process.internal;

import io.gatehouse.api.module.ModuleEventListener;
import java.nio.file.Path;
import java.util.Map;
import org.osgi.util.converter.Converters;

/** Starts and stops the real process runtime for the agent's tests, as DS would. */
public final class ProcessRuntimes {
    private ProcessRuntimes() {
    }

    public static ProcessModuleRuntime start(Path logDirectory, ModuleEventListener listener) {
        ProcessModuleRuntime runtime = new ProcessModuleRuntime(Converters.standardConverter()
                .convert(Map.of("logDirectory", logDirectory.toString())).to(ProcessModuleRuntime.Config.class));
        runtime.addListener(listener);
        return runtime;
    }

    public static void stop(ProcessModuleRuntime runtime) {
        runtime.deactivate();
    }
}
