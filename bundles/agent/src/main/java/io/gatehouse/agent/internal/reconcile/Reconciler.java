package io.gatehouse.agent.internal.reconcile;

import io.gatehouse.agent.internal.manifest.ModuleDefinition;
import io.gatehouse.agent.internal.manifest.ModuleStatus;
import io.gatehouse.agent.internal.manifest.RegistryCredential;
import io.gatehouse.agent.internal.plan.DeploymentPlanner;
import io.gatehouse.agent.internal.plan.ModuleDiff;
import io.gatehouse.agent.internal.plan.ModulePair;
import io.gatehouse.agent.internal.plan.PlanGroup;
import io.gatehouse.agent.internal.restart.ModuleAction;
import io.gatehouse.agent.internal.restart.RestartDecision;
import io.gatehouse.agent.internal.restart.RestartPolicyManager;
import io.gatehouse.agent.internal.restart.RestartStats;
import io.gatehouse.api.identity.Identity;
import io.gatehouse.api.module.ModuleRuntime;
import io.gatehouse.api.module.ModuleRuntimeException;
import io.gatehouse.api.module.ModuleSpec;
import io.gatehouse.api.module.ModuleState;
import io.gatehouse.api.module.RuntimeStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One reconcile pass (reference §2.1–2.4): compares the deployment with what the runtimes hold,
 * runs the plan group by group in startupOrder, applies the restart policy to modules the
 * deployment leaves unchanged, and reports every module. A step that fails is retried after the
 * cool-off {@code unit × 2^failures} and given up after {@code maxRestartCount} failures, until
 * the next deployment. Not thread-safe: the agent calls it from its one loop thread.
 */
public final class Reconciler {
    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);

    private final DeploymentPlanner planner = new DeploymentPlanner();
    private final RestartPolicyManager policy;
    private final Clock clock;
    private final Duration stopTimeout;
    private final Duration interval;
    private final AppliedModules applied;
    private final Map<String, StepFailure> stepFailures = new LinkedHashMap<>();
    private String deploymentVersion;

    public Reconciler(RestartPolicyManager policy, Clock clock, Duration stopTimeout, Duration interval,
            AppliedModules applied) {
        this.policy = policy;
        this.clock = clock;
        this.stopTimeout = stopTimeout;
        this.interval = interval;
        this.applied = applied;
    }

    /** A step that failed, kept until it succeeds or a new deployment comes. */
    private record StepFailure(int count, Instant last, String reason) {
    }

    public PassOutcome pass(Deployment deployment, Map<String, ModuleRuntime> runtimes, ModuleIdentities identities,
            ModuleEnvironment environment) {
        if (deployment == null) {
            return new PassOutcome(200, "no deployment yet", report(null, runtimes, Map.of(), Map.of(), null), List.of(), interval);
        }
        if (!deployment.version().equals(deploymentVersion) || deploymentVersion == null) {
            stepFailures.clear(); // a new deployment starts its steps afresh (reference §2.3)
            deploymentVersion = deployment.version();
        }
        Map<String, ModuleState> held = new LinkedHashMap<>();
        Map<String, String> unavailable = new LinkedHashMap<>();
        Map<String, ModuleRuntime> available = new LinkedHashMap<>();
        for (Map.Entry<String, ModuleRuntime> r : runtimes.entrySet()) {
            try {
                for (ModuleState s : r.getValue().modules()) held.put(s.name(), s);
                available.put(r.getKey(), r.getValue());
            } catch (RuntimeException e) {
                unavailable.put(r.getKey(), "the " + r.getKey() + " runtime does not answer: " + e.getMessage());
            }
        }
        Map<String, ModuleDefinition> desired = new LinkedHashMap<>();
        Map<String, String> waiting = new LinkedHashMap<>();
        for (ModuleDefinition d : deployment.manifest().modules().values()) {
            if (available.containsKey(d.type())) {
                desired.put(d.name(), d);
            } else {
                waiting.put(d.name(), unavailable.getOrDefault(d.type(), "waiting for a runtime of type '" + d.type()
                        + "' (bundle io.gatehouse.supervisor." + d.type() + " is not active)"));
            }
        }
        // Modules of a runtime that is away are neither removed nor recreated: only their report waits.
        held.values().removeIf(s -> !available.containsKey(s.type()));

        Step step = new Step(deployment, available, identities, environment);
        Map<String, ModuleDefinition> before = applied.definitions();
        ModuleDiff diff = planner.diff(desired, before, held.values());
        for (PlanGroup group : planner.group(diff, before)) step.run(group.modules());

        List<String> failures = new ArrayList<>(step.failures);
        Map<String, ModuleReport> reports = new LinkedHashMap<>();
        // a pass that changed nothing reports what it read at its start, sparing every runtime a second listing
        Map<String, ModuleState> listed = step.acted ? null : held;
        for (ModuleReport r : report(deployment, available, step.decisions, waiting, listed)) {
            reports.put(r.name(), r);
            boolean failedExit = r.desired() != null && r.desired().status() == ModuleStatus.RUNNING
                    && r.current() != null && r.current().status() == RuntimeStatus.FAILED
                    && failures.stream().noneMatch(f -> f.startsWith("module '" + r.name() + "'"));
            if (failedExit) failures.add("module '" + r.name() + "' " + exitText(r.current()));
        }
        applied.save();
        Duration next = step.nextPass;
        int code = step.failures.isEmpty() && waiting.isEmpty() ? 200 : 500;
        String description = code == 200 ? "Successfully applied deployment " + deployment.version()
                : String.join("; ", concat(step.failures, waiting));
        return new PassOutcome(code, description, List.copyOf(reports.values()), failures, next);
    }

    private static List<String> concat(List<String> failures, Map<String, String> waiting) {
        List<String> all = new ArrayList<>(failures);
        waiting.forEach((name, why) -> all.add("module '" + name + "': " + why));
        return all;
    }

    private static String exitText(ModuleState s) {
        return "failed" + (s.exitCode() != null ? " with exit code " + s.exitCode() : "")
                + (s.statusDescription() != null && !s.statusDescription().isEmpty() ? ": " + s.statusDescription() : "");
    }

    /** Starts and stops what the operator asks for outside a deployment (the RestartModule method). */
    public void restart(ModuleRuntime runtime, String name) throws ModuleRuntimeException {
        runtime.stop(name, stopTimeout);
        runtime.start(name);
        LOG.info("Module '{}' restarted on request", name);
    }

    private final class Step {
        final Deployment deployment;
        final Map<String, ModuleRuntime> runtimes;
        final ModuleIdentities identities;
        final ModuleEnvironment environment;
        final Instant now = clock.instant();
        final List<String> failures = new ArrayList<>();
        final Map<String, RestartDecision> decisions = new LinkedHashMap<>();
        Duration nextPass = interval;
        /** Whether any step was run, so that what the runtimes hold may have changed. */
        boolean acted;

        Step(Deployment deployment, Map<String, ModuleRuntime> runtimes, ModuleIdentities identities,
                ModuleEnvironment environment) {
            this.deployment = deployment;
            this.runtimes = runtimes;
            this.identities = identities;
            this.environment = environment;
        }

        void run(ModuleDiff group) {
            for (ModuleState s : group.removed()) {
                attempt(s.name(), () -> {
                    ModuleRuntime r = runtimes.get(s.type());
                    r.stop(s.name(), stopTimeout);
                    r.remove(s.name());
                    identities.remove(s.name());
                    applied.forget(s.name());
                    LOG.info("Module '{}' removed: it is no longer in the deployment", s.name());
                });
            }
            for (ModuleDefinition d : group.added()) {
                attempt(d.name(), () -> {
                    create(d);
                    if (d.status() == ModuleStatus.RUNNING) runtimes.get(d.type()).start(d.name());
                    LOG.info("Module '{}' ({}) created{}", d.name(), d.type(),
                            d.status() == ModuleStatus.RUNNING ? " and started" : ", desired stopped");
                });
            }
            for (ModulePair p : group.updated()) {
                attempt(p.name(), () -> {
                    ModuleRuntime old = runtimes.get(p.current().type());
                    old.stop(p.name(), stopTimeout);
                    if (!p.current().type().equals(p.desired().type())) old.remove(p.name());
                    create(p.desired());
                    applied.resetStats(p.name());
                    if (p.desired().status() == ModuleStatus.RUNNING) runtimes.get(p.desired().type()).start(p.name());
                    LOG.info("Module '{}' updated to version '{}'", p.name(), p.desired().version());
                });
            }
            for (ModulePair p : group.stateChanged()) restartPolicy(p);
            for (ModulePair p : group.desiredStatusChanged()) {
                attempt(p.name(), () -> {
                    ModuleRuntime r = runtimes.get(p.desired().type());
                    if (p.desired().status() == ModuleStatus.RUNNING) {
                        r.start(p.name());
                    } else {
                        r.stop(p.name(), stopTimeout);
                    }
                    applied.remember(p.desired(), deployment.moduleJson().get(p.name()));
                    LOG.info("Module '{}' is now desired {}", p.name(), p.desired().status().jsonName());
                });
            }
            for (ModulePair p : group.runningGreat()) restartPolicy(p);
        }

        private void create(ModuleDefinition d) throws ModuleRuntimeException {
            Identity identity = identities.ensure(d.name());
            Map<String, Object> settings = new LinkedHashMap<>(d.settings().asPlainValues());
            if (d.type().equals("docker")) {
                settings.put("imagePullPolicy", d.imagePullPolicy().jsonName());
                Map<String, Object> credentials = new LinkedHashMap<>();
                for (Map.Entry<String, RegistryCredential> c : deployment.manifest().runtime().settings()
                        .registryCredentials().entrySet()) {
                    credentials.put(c.getKey(), Map.of("username", c.getValue().username(),
                            "password", c.getValue().password(), "address", c.getValue().address()));
                }
                if (!credentials.isEmpty()) settings.put("registryCredentials", credentials);
            }
            ModuleSpec spec = new ModuleSpec(d.name(), d.type(), d.version(),
                    environment.of(d.name(), d.env(), identity), settings);
            runtimes.get(d.type()).create(spec);
            applied.remember(d, deployment.moduleJson().get(d.name()));
        }

        private void restartPolicy(ModulePair p) {
            RestartStats stats = applied.stats(p.name());
            RestartDecision decision = policy.decide(p.desired().status(), p.desired().restartPolicy(), p.current(), stats);
            decisions.put(p.name(), decision);
            if (decision.resetStats()) {
                applied.resetStats(p.name());
                LOG.info(decision.reason());
            }
            if (decision.restartIn().compareTo(Duration.ZERO) > 0) later(decision.restartIn());
            ModuleAction action = decision.action();
            if (action == ModuleAction.NONE) return;
            ModuleRuntime r = runtimes.get(p.desired().type());
            attempt(p.name(), () -> {
                switch (action) {
                    case START -> r.start(p.name());
                    case STOP -> r.stop(p.name(), stopTimeout);
                    case RESTART -> {
                        r.stop(p.name(), stopTimeout);
                        applied.putStats(p.name(), stats.restarted(now));
                        r.start(p.name());
                    }
                    default -> throw new IllegalStateException(action.name());
                }
                LOG.info(decision.reason());
            });
        }

        private void attempt(String module, ModuleStep work) {
            StepFailure failure = stepFailures.get(module);
            if (failure != null) {
                if (failure.count() >= policy.settings().maxRestartCount()) {
                    failures.add("module '" + module + "': gave up after " + failure.count() + " failures: " + failure.reason());
                    return;
                }
                Duration left = policy.coolOff(failure.count() - 1).minus(Duration.between(failure.last(), now));
                if (left.compareTo(Duration.ZERO) > 0) {
                    later(left);
                    failures.add("module '" + module + "': " + failure.reason() + " (retrying in "
                            + Math.max(1, left.toSeconds()) + "s)");
                    return;
                }
            }
            acted = true;
            try {
                work.run();
                stepFailures.remove(module);
            } catch (ModuleRuntimeException | RuntimeException e) {
                int count = failure == null ? 1 : failure.count() + 1;
                stepFailures.put(module, new StepFailure(count, now, e.getMessage()));
                failures.add("module '" + module + "': " + e.getMessage());
                later(policy.coolOff(count - 1));
                LOG.warn("Module '{}': {} (failure {}; retried after the cool-off)", module, e.getMessage(), count);
            }
        }

        private void later(Duration d) {
            if (d.compareTo(nextPass) < 0) nextPass = d;
        }
    }

    @FunctionalInterface
    private interface ModuleStep {
        void run() throws ModuleRuntimeException;
    }

    /** @param listed the runtimes' modules as just read, or null to read them now */
    private List<ModuleReport> report(Deployment deployment, Map<String, ModuleRuntime> runtimes,
            Map<String, RestartDecision> decisions, Map<String, String> waiting, Map<String, ModuleState> listed) {
        Map<String, ModuleState> held = new LinkedHashMap<>();
        if (listed != null) {
            held.putAll(listed);
        } else {
            for (ModuleRuntime r : runtimes.values()) {
                try {
                    for (ModuleState s : r.modules()) held.put(s.name(), s);
                } catch (RuntimeException e) {
                    // reported through the deployment status; its modules show as waiting
                }
            }
        }
        List<ModuleReport> reports = new ArrayList<>();
        if (deployment != null) {
            for (ModuleDefinition d : deployment.manifest().modules().values()) {
                ModuleState s = held.remove(d.name());
                RestartStats stats = applied.stats(d.name());
                if (s == null) {
                    String why = waiting.getOrDefault(d.name(), "not created yet");
                    reports.add(new ModuleReport(d.name(), d, null, ModuleStatus.UNKNOWN, why, stats));
                    continue;
                }
                RestartDecision decision = decisions.get(d.name());
                ModuleStatus status = RestartPolicyManager.fromRuntime(s.status());
                String description = s.statusDescription();
                if (decision != null && s.status() != RuntimeStatus.RUNNING) {
                    status = decision.status();
                    description = decision.reason();
                } else if (s.status() != RuntimeStatus.RUNNING && d.status() == ModuleStatus.RUNNING) {
                    status = policy.statusFromPolicy(d.restartPolicy(), status, stats.restartCount());
                }
                // created and never started (a module desired stopped): stopped, as an operator reads it
                if (status == ModuleStatus.UNKNOWN && s.lastStartTime() == null) status = ModuleStatus.STOPPED;
                StepFailure failure = stepFailures.get(d.name());
                if (failure != null) description = failure.reason();
                reports.add(new ModuleReport(d.name(), d, s, status, description, stats));
            }
        }
        for (ModuleState s : held.values()) {
            reports.add(new ModuleReport(s.name(), null, s, RestartPolicyManager.fromRuntime(s.status()),
                    s.statusDescription(), applied.stats(s.name())));
        }
        return reports;
    }
}
