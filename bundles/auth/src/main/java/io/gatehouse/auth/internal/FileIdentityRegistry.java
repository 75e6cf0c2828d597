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
 * The identity registry kept in {@code {directory}/identities.json}. Reads see an immutable
 * snapshot without locking; changes are serialised and reach the disk before they are visible,
 * so a change that could not be saved changes nothing.
 */
@Component(service = IdentityRegistry.class, configurationPid = FileIdentityRegistry.PID)
@Designate(ocd = FileIdentityRegistry.Config.class)
public class FileIdentityRegistry implements IdentityRegistry {

    static final String PID = "io.gatehouse.auth";
    static final int GENERATED_KEY_BYTES = 32;

    @ObjectClassDefinition(name = "Gatehouse identity registry",
            description = "Devices and modules that may connect, with their symmetric keys")
    public @interface Config {
        @AttributeDefinition(description = "Directory of identities.json (owner-only; holds keys)")
        String directory() default "data/identities";
    }

    private static final Logger LOG = LoggerFactory.getLogger(FileIdentityRegistry.class);
    private static final Comparator<IdentityId> BY_ID = Comparator.comparing(IdentityId::deviceId)
            .thenComparing(IdentityId::moduleId, Comparator.nullsFirst(Comparator.naturalOrder()));

    private final SecureRandom random = new SecureRandom();
    private final Clock clock;
    private final Object writeLock = new Object();
    private IdentityFile file;
    private volatile Map<IdentityId, Identity> identities = Map.of();

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
        IdentityFile opened = new IdentityFile(directoryOf(config), clock);
        List<Identity> loaded = opened.load();
        Map<IdentityId, Identity> byId = new LinkedHashMap<>();
        loaded.forEach(identity -> byId.put(identity.id(), identity));
        synchronized (writeLock) {
            file = opened;
            identities = Map.copyOf(byId);
        }
        LOG.info("Identity registry: {} identities from {}", byId.size(), opened.path().toAbsolutePath());
    }

    private static Path directoryOf(Config config) {
        if (config.directory() == null || config.directory().isBlank()) {
            throw new IllegalArgumentException("configuration " + PID + ": 'directory' must not be empty");
        }
        return Path.of(config.directory().trim());
    }

    @Override
    public List<Identity> list() {
        return identities.values().stream().sorted(Comparator.comparing(Identity::id, BY_ID)).toList();
    }

    @Override
    public Optional<Identity> get(IdentityId id) {
        return Optional.ofNullable(identities.get(Objects.requireNonNull(id, "id")));
    }

    @Override
    public Identity add(IdentityId id, String primaryKey, String secondaryKey) {
        IdentityRules.checkId(id);
        String primary = primaryKey == null ? generateKey() : primaryKey;
        String secondary = secondaryKey == null ? generateKey() : secondaryKey;
        IdentityRules.checkKey("primaryKey", primary);
        IdentityRules.checkKey("secondaryKey", secondary);
        Identity identity = new Identity(id, primary, secondary);
        synchronized (writeLock) {
            if (identities.containsKey(id)) {
                throw new IdentityExistsException("identity " + LogSafe.quote(id.toString()) + " already exists");
            }
            Map<IdentityId, Identity> changed = new LinkedHashMap<>(identities);
            changed.put(id, identity);
            commit(changed);
        }
        LOG.info("Identity {} registered", LogSafe.quote(id.toString()));
        return identity;
    }

    @Override
    public boolean remove(IdentityId id) {
        Objects.requireNonNull(id, "id");
        synchronized (writeLock) {
            if (!identities.containsKey(id)) {
                return false;
            }
            Map<IdentityId, Identity> changed = new LinkedHashMap<>(identities);
            changed.remove(id);
            commit(changed);
        }
        LOG.info("Identity {} removed", LogSafe.quote(id.toString()));
        return true;
    }

    private void commit(Map<IdentityId, Identity> changed) {
        List<Identity> ordered = changed.values().stream().sorted(Comparator.comparing(Identity::id, BY_ID)).toList();
        try {
            file.save(ordered);
        } catch (IOException e) {
            throw new UncheckedIOException("could not save identities to " + file.path().toAbsolutePath()
                    + "; nothing was changed", e);
        }
        identities = Map.copyOf(changed);
    }

    private String generateKey() {
        byte[] key = new byte[GENERATED_KEY_BYTES];
        random.nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }
}
