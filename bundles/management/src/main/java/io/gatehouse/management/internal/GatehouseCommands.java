package io.gatehouse.management.internal;

import io.gatehouse.api.identity.Identity;
import io.gatehouse.api.identity.IdentityRegistry;
import io.gatehouse.api.route.RouteTarget;
import io.gatehouse.api.store.DeadLetter;
import io.gatehouse.api.store.MessageStore;
import io.gatehouse.api.store.QueueStatus;
import io.gatehouse.api.store.StoreException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gogo shell commands in scope {@code gatehouse}, for whoever is on the framework console:
 * {@code identities}, {@code queues}, {@code deadletters <endpoint> [limit]},
 * {@code purgedeadletters <endpoint>} and {@code requeuedeadletters <endpoint>}. Plain methods
 * returning text: no Gogo API is needed, so the bundle does not depend on a shell being installed.
 * Gogo expands {@code $name}: quote endpoint ids such as {@code '$upstream'}.
 */
@Component(service = Object.class, property = {
        "osgi.command.scope=gatehouse",
        "osgi.command.function=identities",
        "osgi.command.function=queues",
        "osgi.command.function=deadletters",
        "osgi.command.function=purgedeadletters",
        "osgi.command.function=requeuedeadletters"})
public class GatehouseCommands {
    private static final Logger LOG = LoggerFactory.getLogger(GatehouseCommands.class);
    private static final String NO_STORE = "the message store is not available (bundle io.gatehouse.store)";

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile IdentityRegistry registry;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile MessageStore store;

    public GatehouseCommands() {
    }

    GatehouseCommands(IdentityRegistry registry, MessageStore store) {
        this.registry = registry;
        this.store = store;
    }

    /** The registered identities, without keys, with their edge capability, parent, and whether they have an X.509 thumbprint. */
    public String identities() {
        IdentityRegistry r = registry;
        if (r == null) return "the identity registry is not available (bundle io.gatehouse.auth)";
        List<Identity> all = r.list().stream().sorted(Comparator.comparing((Identity i) -> i.id().toString())).toList();
        if (all.isEmpty()) return "no identities registered";
        StringBuilder out = new StringBuilder();
        all.forEach(i -> out.append(i.id()).append(i.edgeDevice() ? " (edge device)" : "")
                .append(i.parentDeviceId() == null ? "" : " (parent " + i.parentDeviceId() + ")")
                .append(i.primaryThumbprint() == null && i.secondaryThumbprint() == null ? "" : " (x509)").append('\n'));
        return out.append(all.size()).append(all.size() == 1 ? " identity" : " identities").toString();
    }

    /** The store's endpoint queues: length, age of the oldest, size on disk, drops by reason, dead letters. */
    public String queues() {
        MessageStore s = store;
        if (s == null) return NO_STORE;
        List<QueueStatus> all = QueuesApi.sorted(s.queues());
        if (all.isEmpty()) return "no queues";
        String format = "%-40s %10s %9s %9s %9s %7s %9s %9s %9s %9s %9s";
        StringBuilder out = new StringBuilder(String.format(format, "ENDPOINT", "PRIORITY", "PENDING", "APPENDED",
                "DELIVERED", "OLDEST(s)", "BYTES", "TTL", "QUOTA", "CORRUPT", "DEAD"));
        for (QueueStatus q : all) {
            out.append('\n').append(String.format(format, q.endpointId(),
                    q.priority() == RouteTarget.DEFAULT_PRIORITY ? "default" : q.priority(),
                    q.pending(), q.appended(), q.delivered(),
                    q.oldestAgeMillis() < 0 ? "-" : q.oldestAgeMillis() / 1000, q.bytesOnDisk(),
                    QueuesApi.dropped(q, QueueStatus.DROPPED_TTL_EXPIRY), QueuesApi.dropped(q, QueueStatus.DROPPED_QUOTA),
                    QueuesApi.dropped(q, QueueStatus.DROPPED_CORRUPT), q.deadLetters()));
        }
        return out.toString();
    }

    /** The first {@link DeadLettersApi#DEFAULT_LIMIT} dead letters of the endpoint, oldest first. */
    public String deadletters(String endpoint) {
        return deadletters(endpoint, DeadLettersApi.DEFAULT_LIMIT);
    }

    /** Up to {@code limit} dead letters of the endpoint, oldest first, with a glimpse of each body. */
    public String deadletters(String endpoint, int limit) {
        MessageStore s = store;
        if (s == null) return NO_STORE;
        if (limit < 1 || limit > DeadLettersApi.MAX_LIMIT) {
            return "the limit must be from 1 to " + DeadLettersApi.MAX_LIMIT;
        }
        DeadLetterPage page = DeadLetterPage.read(s, endpoint, limit, DeadLettersApi.ANSWER_BODY_BUDGET);
        if (page.letters().isEmpty()) return "no dead letters for " + endpoint;
        String format = "%10s  %-20s  %10s  %9s  %-40s  %s";
        StringBuilder out = new StringBuilder(String.format(format, "SEQUENCE", "TIME", "PRIORITY", "SIZE", "REASON", "BODY"));
        for (DeadLetter d : page.letters()) {
            out.append('\n').append(String.format(format, d.sequence(),
                    Instant.ofEpochMilli(d.deadLetteredAtMillis()).truncatedTo(ChronoUnit.SECONDS),
                    d.priority() == RouteTarget.DEFAULT_PRIORITY ? "default" : d.priority(),
                    d.message().body().length, d.reason(),
                    MessageBodies.preview(d.message().body())).stripTrailing());
        }
        if (page.more()) {
            out.append("\n(there are more than these ").append(page.letters().size())
                    .append("; deadletters <endpoint> <limit> lists up to ").append(DeadLettersApi.MAX_LIMIT).append(')');
        }
        return out.toString();
    }

    /** Deletes every dead letter of the endpoint. */
    public String purgedeadletters(String endpoint) {
        return onDeadLetters(endpoint, "purge", MessageStore::purgeDeadLetters, n -> "purged " + letters(n) + " of " + endpoint);
    }

    /** Puts every dead letter of the endpoint back in its queue, oldest first. */
    public String requeuedeadletters(String endpoint) {
        return onDeadLetters(endpoint, "requeue", MessageStore::requeueDeadLetters,
                n -> "requeued " + letters(n) + " to " + endpoint);
    }

    /** What purge and requeue do to one endpoint's dead letters: returns how many. */
    @FunctionalInterface
    private interface DeadLetterAction {
        long apply(MessageStore store, String endpoint) throws StoreException;
    }

    private String onDeadLetters(String endpoint, String verb, DeadLetterAction action,
            java.util.function.LongFunction<String> answer) {
        MessageStore s = store;
        if (s == null) return NO_STORE;
        try {
            long n = action.apply(s, endpoint);
            LOG.info("Console {}: {} dead letters of {}", verb, n, endpoint);
            return answer.apply(n);
        } catch (StoreException e) {
            return "the store could not " + verb + " the dead letters of " + endpoint + ": " + e.getMessage();
        }
    }

    private static String letters(long n) {
        return n + (n == 1 ? " dead letter" : " dead letters");
    }
}
