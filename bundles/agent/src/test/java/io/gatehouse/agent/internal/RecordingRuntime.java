package io.gatehouse.agent.internal;

import io.gatehouse.api.module.ModuleRuntime;
import io.gatehouse.api.module.ModuleRuntimeException;
import io.gatehouse.api.module.ModuleSpec;
import io.gatehouse.api.module.ModuleState;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/** A real runtime whose calls are also written down, in order, so a test can check the agent's sequence. */
class RecordingRuntime implements ModuleRuntime {
    final ModuleRuntime delegate;
    final List<String> calls = new CopyOnWriteArrayList<>();
    final List<ModuleSpec> specs = new CopyOnWriteArrayList<>();
    /** System.nanoTime() of each start call. */
    final List<Long> startNanos = new CopyOnWriteArrayList<>();

    RecordingRuntime(ModuleRuntime delegate) {
        this.delegate = delegate;
    }

    @Override
    public String type() {
        return delegate.type();
    }

    @Override
    public void create(ModuleSpec spec) throws ModuleRuntimeException {
        calls.add("create:" + spec.name());
        delegate.create(spec);
        specs.add(spec);
    }

    @Override
    public void start(String name) throws ModuleRuntimeException {
        calls.add("start:" + name);
        startNanos.add(System.nanoTime());
        delegate.start(name);
    }

    @Override
    public void stop(String name, Duration timeout) throws ModuleRuntimeException {
        calls.add("stop:" + name);
        delegate.stop(name, timeout);
    }

    @Override
    public void remove(String name) throws ModuleRuntimeException {
        calls.add("remove:" + name);
        delegate.remove(name);
    }

    @Override
    public List<ModuleState> modules() {
        return delegate.modules();
    }

    @Override
    public Optional<ModuleState> module(String name) {
        return delegate.module(name);
    }

    @Override
    public List<String> logs(String name, int tail) throws ModuleRuntimeException {
        return delegate.logs(name, tail);
    }
}
