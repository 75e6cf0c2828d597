package io.gatehouse.agent.internal.reconcile;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.agent.internal.state.AgentStateStore;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The deployments applied on this gateway and what became of them. A new deployment is on
 * probation for {@code window}: if one of its modules fails in that time it failed, and with
 * rollback on it is replaced by the last good deployment; once the window passes without a
 * failure it is the last good one. Not thread-safe: used from the agent's loop thread, and under
 * the agent's lock when a deployment is applied.
 */
public final class DeploymentHistory {
    private static final Logger LOG = LoggerFactory.getLogger(DeploymentHistory.class);

    /** What the agent does after a pass. */
    public record Verdict(String rollBackTo, ObjectNode rollback) {
    }

    private final AgentStateStore store;
    private final ObjectMapper json;
    private final Clock clock;
    private final Duration window;
    private final boolean rollbackOnFailure;
    private final int size;
    private final ArrayNode entries;
    private Probation probation;
    private ObjectNode lastRollback;

    private record Probation(String version, Instant since, String previousGood, String json) {
    }

    public DeploymentHistory(AgentStateStore store, ObjectMapper json, Clock clock, Duration window,
            boolean rollbackOnFailure, int size) {
        this.store = store;
        this.json = json;
        this.clock = clock;
        this.window = window;
        this.rollbackOnFailure = rollbackOnFailure;
        this.size = Math.max(1, size);
        this.entries = store.history();
        for (int i = entries.size() - 1; i >= 0; i--) {
            if (entries.get(i).has("rollback")) {
                lastRollback = (ObjectNode) entries.get(i).get("rollback");
                break;
            }
        }
    }

    public ArrayNode entries() {
        return entries.deepCopy();
    }

    public ObjectNode lastRollback() {
        return lastRollback == null ? null : lastRollback.deepCopy();
    }

    /** A deployment was accepted: it goes on probation against the last good one. */
    public void applied(Deployment deployment, String source) {
        Instant now = clock.instant();
        if (probation != null) {
            outcome(entry(probation.version()), "superseded", "replaced by deployment " + deployment.version()
                    + " before it was judged");
        }
        probation = new Probation(deployment.version(), now, store.lastGood(), deployment.json());
        ObjectNode e = json.createObjectNode();
        e.put("version", deployment.version());
        e.put("appliedAtUtc", now.toString());
        e.put("source", source);
        e.put("outcome", "pending");
        entries.add(e);
        while (entries.size() > size) entries.remove(0);
        save();
    }

    /** Judges the deployment on probation after a pass; returns a rollback to make, or null. */
    public Verdict judge(List<String> failures) {
        if (probation == null) return null;
        Instant now = clock.instant();
        if (!failures.isEmpty()) {
            String why = String.join("; ", failures);
            Probation failed = probation;
            probation = null;
            boolean canRollBack = rollbackOnFailure && failed.previousGood() != null
                    && !failed.previousGood().equals(failed.json());
            ObjectNode entry = entry(failed.version());
            if (!canRollBack) {
                outcome(entry, "failed", why + (rollbackOnFailure ? "; no earlier good deployment to roll back to" : ""));
                LOG.error("Deployment {} failed within {} s of being applied: {}", failed.version(), window.toSeconds(), why);
                save();
                return null;
            }
            ObjectNode rollback = json.createObjectNode();
            rollback.put("fromVersion", failed.version());
            rollback.put("atUtc", now.toString());
            rollback.put("reason", why);
            outcome(entry, "rolled-back", why);
            if (entry != null) entry.set("rollback", rollback);
            lastRollback = rollback;
            LOG.error("Deployment {} failed within {} s of being applied ({}); rolling back to the last good deployment",
                    failed.version(), window.toSeconds(), why);
            save();
            return new Verdict(failed.previousGood(), rollback);
        }
        if (Duration.between(probation.since(), now).compareTo(window) >= 0) {
            try {
                store.saveLastGood(probation.json());
                outcome(entry(probation.version()), "good", "no module failed within " + window.toSeconds() + " s");
                LOG.info("Deployment {} is good: no module failed within {} s", probation.version(), window.toSeconds());
                probation = null;
                save();
            } catch (IOException e) {
                LOG.warn("Could not store deployment {} as the last good one: {}", probation.version(), e.toString());
            }
        }
        return null;
    }

    /** Time left until the deployment on probation is judged good, or null when none is. */
    public Duration probationLeft() {
        if (probation == null) return null;
        Duration left = window.minus(Duration.between(probation.since(), clock.instant()));
        return left.isNegative() ? Duration.ZERO : left;
    }

    /** The deployment that replaced a failed one: it was good before, so it is not on probation. */
    public void rolledBackTo(Deployment deployment, ObjectNode rollback) {
        rollback.put("toVersion", deployment.version());
        ObjectNode e = json.createObjectNode();
        e.put("version", deployment.version());
        e.put("appliedAtUtc", clock.instant().toString());
        e.put("source", "rollback");
        e.put("outcome", "good");
        entries.add(e);
        while (entries.size() > size) entries.remove(0);
        save();
    }

    private ObjectNode entry(String version) {
        for (int i = entries.size() - 1; i >= 0; i--) {
            if (version.equals(entries.get(i).path("version").asText())) return (ObjectNode) entries.get(i);
        }
        return null;
    }

    private static void outcome(ObjectNode entry, String outcome, String description) {
        if (entry == null) return;
        entry.put("outcome", outcome);
        entry.put("description", description);
    }

    private void save() {
        try {
            store.saveHistory(entries);
        } catch (IOException e) {
            LOG.warn("Could not store the deployment history in {}: {}", store.directory(), e.toString());
        }
    }
}
