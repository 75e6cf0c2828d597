package io.gatehouse.management.internal;

import io.gatehouse.api.identity.Identity;
import io.gatehouse.api.identity.IdentityRegistry;
import io.gatehouse.api.route.RouteTarget;
import io.gatehouse.api.store.MessageStore;
import io.gatehouse.api.store.QueueStatus;
import java.util.Comparator;
import java.util.List;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * Gogo shell commands {@code gatehouse:identities} and {@code gatehouse:queues}, for whoever is on
 * the framework console. Plain methods returning text: no Gogo API is needed, so the bundle does
 * not depend on a shell being installed.
 */
@Component(service = Object.class, property = {
        "osgi.command.scope=gatehouse",
        "osgi.command.function=identities",
        "osgi.command.function=queues"})
public class GatehouseCommands {

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

    /** The registered identities, without keys. */
    public String identities() {
        IdentityRegistry r = registry;
        if (r == null) return "the identity registry is not available (bundle io.gatehouse.auth)";
        List<Identity> all = r.list().stream().sorted(Comparator.comparing((Identity i) -> i.id().toString())).toList();
        if (all.isEmpty()) return "no identities registered";
        StringBuilder out = new StringBuilder();
        all.forEach(i -> out.append(i.id()).append('\n'));
        return out.append(all.size()).append(all.size() == 1 ? " identity" : " identities").toString();
    }

    /** The store's endpoint queues and their counters. */
    public String queues() {
        MessageStore s = store;
        if (s == null) return "the message store is not available (bundle io.gatehouse.store)";
        List<QueueStatus> all = s.queues().stream()
                .sorted(Comparator.comparing(QueueStatus::endpointId).thenComparingInt(QueueStatus::priority)).toList();
        if (all.isEmpty()) return "no queues";
        StringBuilder out = new StringBuilder(String.format("%-40s %10s %10s %10s %10s %10s",
                "ENDPOINT", "PRIORITY", "PENDING", "APPENDED", "DELIVERED", "EXPIRED"));
        for (QueueStatus q : all) {
            out.append('\n').append(String.format("%-40s %10s %10d %10d %10d %10d", q.endpointId(),
                    q.priority() == RouteTarget.DEFAULT_PRIORITY ? "default" : q.priority(),
                    q.pending(), q.appended(), q.delivered(), q.expired()));
        }
        return out.toString();
    }
}
