package io.gatehouse.broker.internal;

import io.gatehouse.api.identity.IdentityId;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The identities with a persistent session (clean session off) subscribed to what the head
 * delivers from the store: a module to its inputs, a device to its cloud-to-device messages (an
 * identity is one or the other, so its id says which). Kept on disk so that, as MQTT promises,
 * such a client gets its messages after a reconnect, even across a gateway restart, without
 * subscribing again.
 */
final class PersistentSubscriptions {
    private static final Logger LOG = LoggerFactory.getLogger(PersistentSubscriptions.class);
    private final Path file;
    private final Set<String> ids = ConcurrentHashMap.newKeySet();

    PersistentSubscriptions(Path file) {
        this.file = file;
        try {
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    if (!line.isBlank()) ids.add(line.trim());
                }
            }
        } catch (IOException e) {
            LOG.warn("Could not read persistent input subscriptions from {}: {}", file, e.toString());
        }
    }

    boolean contains(IdentityId id) {
        return ids.contains(id.toString());
    }

    void add(IdentityId id) {
        if (ids.add(id.toString())) save();
    }

    void remove(IdentityId id) {
        if (ids.remove(id.toString())) save();
    }

    private synchronized void save() {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            String text = new TreeSet<>(ids).stream().collect(Collectors.joining("\n", "", "\n"));
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            LOG.warn("Could not save persistent input subscriptions to {}: {}", file, e.toString());
        }
    }
}
