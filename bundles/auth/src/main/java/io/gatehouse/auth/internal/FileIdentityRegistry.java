package io.gatehouse.auth.internal;

import io.gatehouse.api.identity.Identity;
import io.gatehouse.api.identity.IdentityExistsException;
import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.identity.IdentityRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The identity registry kept in {@code {directory}/identities.json}, with the scope learned from
 * the parent gateway in {@code {directory}/upstream-scope.json}. Reads see an immutable snapshot
 * without locking; changes are serialised and reach the disk before they are visible, so a change
 * that could not be saved changes nothing.
 */
@Component(service = IdentityRegistry.class, configurationPid = FileIdentityRegistry.PID)
@Designate(ocd = FileIdentityRegistry.Config.class)
public class FileIdentityRegistry implements IdentityRegistry {

    static final String PID = "io.gatehouse.auth";
    static final int GENERATED_KEY_BYTES = 32;

    @ObjectClassDefinition(name = "Gatehouse identity registry",
            description = "Devices and modules that may connect, with their symmetric keys")
    public @interface Config {
        @AttributeDefinition(description = "Directory of identities.json and upstream-scope.json (owner-only; "
                + "holds keys)")
        String directory() default "data/identities";
    }

    private static final Logger LOG = LoggerFactory.getLogger(FileIdentityRegistry.class);
    private static final Comparator<IdentityId> BY_ID = Comparator.comparing(IdentityId::deviceId)
            .thenComparing(IdentityId::moduleId, Comparator.nullsFirst(Comparator.naturalOrder()));
    private static final Comparator<Identity> IDENTITY_BY_ID = Comparator.comparing(Identity::id, BY_ID);

    /** Both kinds of entries, replaced together so a reader never sees half of a change. */
    private record State(Map<IdentityId, Identity> registered, Map<IdentityId, Identity> learned) {
        State withRegistered(Map<IdentityId, Identity> changed) {
            return new State(Map.copyOf(changed), learned);
        }

        State withLearned(Map<IdentityId, Identity> changed) {
            return new State(registered, Map.copyOf(changed));
        }
    }

    private final SecureRandom random = new SecureRandom();
    private final Clock clock;
    private final Object writeLock = new Object();
    private IdentityFile file;
    private IdentityFile upstreamFile;
    private volatile State state = new State(Map.of(), Map.of());

    @Activate
    public FileIdentityRegistry(Config config) throws IOException {
        this(config, Clock.systemUTC());
    }

    FileIdentityRegistry(Config config, Clock clock) throws IOException {
        this.clock = clock;
        open(config);
    }

    @Modified
    void modified(Config config) throws IOException {
        if (!file.directory().equals(directoryOf(config))) {
            open(config);
        }
    }

    private void open(Config config) throws IOException {
        Path directory = directoryOf(config);
        IdentityFile opened = IdentityFile.registered(directory, clock);
        IdentityFile openedUpstream = IdentityFile.upstreamScope(directory, clock);
        Map<IdentityId, Identity> registered = byId(opened.load());
        Map<IdentityId, Identity> learned = byId(openedUpstream.load());
        synchronized (writeLock) {
            file = opened;
            upstreamFile = openedUpstream;
            state = new State(Map.copyOf(registered), Map.copyOf(learned));
        }
        LOG.info("Identity registry: {} identities from {}, {} learned from the parent gateway", registered.size(),
                opened.path().toAbsolutePath(), learned.size());
    }

    private static Map<IdentityId, Identity> byId(List<Identity> identities) {
        Map<IdentityId, Identity> byId = new LinkedHashMap<>();
        identities.forEach(identity -> byId.put(identity.id(), identity));
        return byId;
    }

    private static Path directoryOf(Config config) {
        if (config.directory() == null || config.directory().isBlank()) {
            throw new IllegalArgumentException("configuration " + PID + ": 'directory' must not be empty");
        }
        return Path.of(config.directory().trim());
    }

    @Override
    public List<Identity> list() {
        State current = state;
        List<Identity> all = new ArrayList<>(current.registered().values());
        current.learned().values().stream().filter(learned -> !current.registered().containsKey(learned.id()))
                .forEach(all::add);
        all.sort(IDENTITY_BY_ID);
        return List.copyOf(all);
    }

    @Override
    public Optional<Identity> get(IdentityId id) {
        Objects.requireNonNull(id, "id");
        State current = state;
        Identity registered = current.registered().get(id);
        return Optional.ofNullable(registered != null ? registered : current.learned().get(id));
    }

    @Override
    public Identity add(IdentityId id, String primaryKey, String secondaryKey) {
        IdentityRules.checkId(id);
        return add(new Identity(id, primaryKey, secondaryKey));
    }

    @Override
    public Identity add(Identity requested) {
        if (requested == null) {
            throw new IllegalArgumentException("an identity is required");
        }
        IdentityRules.checkId(requested.id());
        Identity identity = new Identity(requested.id(),
                requested.primaryKey() == null ? generateKey() : requested.primaryKey(),
                requested.secondaryKey() == null ? generateKey() : requested.secondaryKey(),
                requested.edgeDevice(), requested.parentDeviceId(), requested.primaryThumbprint(),
                requested.secondaryThumbprint());
        IdentityRules.checkIdentity(identity);
        IdentityId id = identity.id();
        synchronized (writeLock) {
            Map<IdentityId, Identity> registered = state.registered();
            if (registered.containsKey(id)) {
                throw new IdentityExistsException("identity " + LogSafe.quote(id.toString()) + " already exists");
            }
            if (identity.parentDeviceId() != null) {
                checkRegisteredEdgeDevice(registered, identity.parentDeviceId());
            }
            Map<IdentityId, Identity> changed = new LinkedHashMap<>(registered);
            changed.put(id, identity);
            commitRegistered(changed);
        }
        LOG.info("Identity {} registered{}{}", LogSafe.quote(id.toString()),
                identity.edgeDevice() ? " as an edge device" : "",
                identity.parentDeviceId() == null ? "" : " below parent " + LogSafe.quote(identity.parentDeviceId()));
        return identity;
    }

    private static void checkRegisteredEdgeDevice(Map<IdentityId, Identity> registered, String parentDeviceId) {
        Identity parent = registered.get(IdentityId.device(parentDeviceId));
        if (parent == null) {
            throw new IllegalArgumentException("parent " + LogSafe.quote(parentDeviceId) + " is not a registered edge "
                    + "device; register it with --edge first");
        }
        if (!parent.edgeDevice()) {
            throw new IllegalArgumentException("parent " + LogSafe.quote(parentDeviceId) + " is registered but is not "
                    + "an edge device; only an edge device can be a parent (remove it and register it again with "
                    + "--edge)");
        }
    }

    @Override
    public boolean remove(IdentityId id) {
        Objects.requireNonNull(id, "id");
        synchronized (writeLock) {
            Map<IdentityId, Identity> registered = state.registered();
            Identity existing = registered.get(id);
            if (existing == null) {
                return false;
            }
            if (existing.edgeDevice()) {
                List<IdentityId> children = ParentLinks.childrenOf(registered.values(), id.deviceId());
                if (!children.isEmpty()) {
                    children.sort(BY_ID);
                    throw new IllegalArgumentException("edge device " + LogSafe.quote(id.toString())
                            + " is still the parent of " + LogSafe.quote(children.get(0).toString())
                            + (children.size() > 1 ? " and " + (children.size() - 1) + " more device(s)" : "")
                            + "; remove those first");
                }
            }
            Map<IdentityId, Identity> changed = new LinkedHashMap<>(registered);
            changed.remove(id);
            commitRegistered(changed);
        }
        LOG.info("Identity {} removed", LogSafe.quote(id.toString()));
        return true;
    }

    @Override
    public List<Identity> scopeOf(String edgeDeviceId) {
        Objects.requireNonNull(edgeDeviceId, "edgeDeviceId");
        Map<IdentityId, Identity> registered = state.registered();
        Identity edge = registered.get(IdentityId.device(edgeDeviceId));
        if (edge == null || !edge.edgeDevice()) {
            return List.of();
        }
        List<Identity> scope = new ArrayList<>(ParentLinks.scopeOf(registered.values(), edgeDeviceId));
        scope.sort(IDENTITY_BY_ID);
        return List.copyOf(scope);
    }

    @Override
    public void replaceUpstreamScope(List<Identity> identities) {
        if (identities == null) {
            throw new IllegalArgumentException("an upstream scope (possibly empty list) is required");
        }
        Map<IdentityId, Identity> learned = new LinkedHashMap<>();
        for (int i = 0; i < identities.size(); i++) {
            Identity identity = identities.get(i);
            if (identity == null || identity.id() == null) {
                throw new IllegalArgumentException("upstream scope entry " + i + " has no identity id");
            }
            String which = "upstream scope entry " + i + " (" + LogSafe.quote(identity.id().toString()) + "): ";
            try {
                IdentityRules.checkIdentity(identity);
            } catch (IllegalArgumentException invalid) {
                throw new IllegalArgumentException(which + invalid.getMessage());
            }
            if (learned.put(identity.id(), identity) != null) {
                throw new IllegalArgumentException(which + "the identity appears more than once in the scope");
            }
        }
        synchronized (writeLock) {
            List<Identity> ordered = learned.values().stream().sorted(IDENTITY_BY_ID).toList();
            try {
                upstreamFile.save(ordered);
            } catch (IOException e) {
                throw new UncheckedIOException("could not save the upstream scope to "
                        + upstreamFile.path().toAbsolutePath() + "; nothing was changed", e);
            }
            state = state.withLearned(learned);
        }
        LOG.info("Upstream scope replaced: {} identities learned from the parent gateway", learned.size());
    }

    private void commitRegistered(Map<IdentityId, Identity> changed) {
        List<Identity> ordered = changed.values().stream().sorted(IDENTITY_BY_ID).toList();
        try {
            file.save(ordered);
        } catch (IOException e) {
            throw new UncheckedIOException("could not save identities to " + file.path().toAbsolutePath()
                    + "; nothing was changed", e);
        }
        state = state.withRegistered(changed);
    }

    private String generateKey() {
        byte[] key = new byte[GENERATED_KEY_BYTES];
        random.nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }
}
