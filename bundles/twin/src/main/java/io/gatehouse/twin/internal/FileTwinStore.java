package io.gatehouse.twin.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.route.MessageRouter;
import io.gatehouse.api.store.MessageStore;
import io.gatehouse.api.twin.DesiredPropertiesListener;
import io.gatehouse.api.twin.InvalidTwinException;
import io.gatehouse.api.twin.Twin;
import io.gatehouse.api.twin.TwinStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The twins of this gateway's identities, one JSON file each, loaded on first use and cached.
 * Each identity has its own lock so that twins of different identities never wait for each other;
 * desired-change listeners are called after the change is on disk and outside any lock. A reported
 * change is also routed as a twin change notification ({@link TwinChangeNotifier}).
 */
@Component(service = TwinStore.class, configurationPid = {FileTwinStore.PID, FileTwinStore.HUB_PID})
// bnd refuses @Designate on a component with two PIDs; the OCD's pid attribute designates the twin PID instead.
public final class FileTwinStore implements TwinStore {
    static final String PID = "io.gatehouse.twin";
    static final String HUB_PID = "io.gatehouse.hub";
    private static final Logger LOG = LoggerFactory.getLogger(FileTwinStore.class);

    @ObjectClassDefinition(pid = PID, name = "Gatehouse twins",
            description = "Where the device and module twins of this gateway are kept")
    public @interface Config {
        @AttributeDefinition(description = "Directory with one JSON file per identity "
                + "(relative paths are relative to the working directory)")
        String directory() default "data/twins";

        @AttributeDefinition(description = "The edge device id (shared PID io.gatehouse.hub): the "
                + "connectionDeviceId of twin change notifications")
        String deviceId() default "edge1";

        @AttributeDefinition(description = "The IoT Hub host name (shared PID io.gatehouse.hub): its first "
                + "label is the hubName of twin change notifications")
        String iotHubHostName() default "gatehouse.local";
    }

    /** The cached twin of one identity and the lock every change to it takes. */
    private static final class Entry {
        TwinDocument twin;
        /** Set when the identity was removed, so a writer still holding this entry fetches a new one. */
        boolean removed;
    }

    private record Change(long version, ObjectNode patch) {
    }

    @FunctionalInterface
    private interface Edit {
        /** The new document, or the same one when nothing changes. */
        TwinDocument apply(TwinDocument current) throws InvalidTwinException;
    }

    private final ObjectMapper mapper = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private final TwinLimits limits = new TwinLimits(mapper);
    private final PatchReader reader = new PatchReader(mapper, limits);
    private final ConcurrentMap<IdentityId, Entry> cache = new ConcurrentHashMap<>();
    private final List<DesiredPropertiesListener> listeners = new CopyOnWriteArrayList<>();
    private final TwinChangeNotifier notifier;
    private volatile TwinFiles files;

    /** For Declarative Services, which activates it with its configuration. */
    public FileTwinStore() {
        this.notifier = new TwinChangeNotifier(mapper, Clock.systemUTC());
    }

    FileTwinStore(Path directory) {
        this(directory, Clock.systemUTC());
    }

    FileTwinStore(Path directory, Clock clock) {
        this.notifier = new TwinChangeNotifier(mapper, clock);
        this.files = new TwinFiles(directory, mapper);
    }

    @Activate
    void activate(Config config) {
        notifier.configure(new TwinChangeNotifier.Hub(config.deviceId(), config.iotHubHostName()));
        files = new TwinFiles(Path.of(config.directory()), mapper);
        LOG.info("Twins are kept in {}", files.directory().toAbsolutePath());
    }

    // Optional: a twin store without router or store still stores twins; only notifications are lost.
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setRouter(MessageRouter router) {
        notifier.setRouter(router);
    }

    void unsetRouter(MessageRouter router) {
        notifier.unsetRouter(router);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setMessageStore(MessageStore store) {
        notifier.setStore(store);
    }

    void unsetMessageStore(MessageStore store) {
        notifier.unsetStore(store);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addListener(DesiredPropertiesListener listener) {
        listeners.add(listener);
    }

    void removeListener(DesiredPropertiesListener listener) {
        listeners.remove(listener);
    }

    @Override
    public void validate(String json) throws InvalidTwinException {
        reader.read(json);
    }

    @Override
    public Twin get(IdentityId id) throws IOException {
        while (true) {
            Entry entry = entryOf(id);
            synchronized (entry) {
                if (entry.removed) {
                    continue;
                }
                TwinDocument twin = loaded(id, entry);
                return new Twin(text(twin.desired()), twin.desiredVersion(),
                        text(twin.reported()), twin.reportedVersion());
            }
        }
    }

    @Override
    public long patchReported(IdentityId id, String patchJson) throws InvalidTwinException, IOException {
        ObjectNode patch = reader.read(patchJson);
        TwinDocument after = change(id, current -> {
            ObjectNode merged = JsonMergePatch.apply(current.reported(), patch);
            if (merged.equals(current.reported())) {
                return current;
            }
            limits.check(merged, "the reported properties");
            return current.withReported(merged);
        }, (before, saved) -> notifier.reportedChanged(id,
                JsonMergePatch.diff(before.reported(), saved.reported()), saved.reportedVersion()));
        return after.reportedVersion();
    }

    @Override
    public long patchDesired(IdentityId id, String patchJson) throws InvalidTwinException, IOException {
        ObjectNode patch = reader.read(patchJson);
        return changeDesired(id, current -> JsonMergePatch.apply(current, patch));
    }

    @Override
    public long replaceDesired(IdentityId id, String desiredJson) throws InvalidTwinException, IOException {
        // Merging onto nothing drops any nulls, which in a whole document can only mean "absent".
        ObjectNode replacement = JsonMergePatch.apply(mapper.createObjectNode(), reader.read(desiredJson));
        return changeDesired(id, current -> replacement);
    }

    @Override
    public boolean remove(IdentityId id) throws IOException {
        Entry entry = entryOf(id);
        synchronized (entry) {
            boolean existed = files().delete(id);
            entry.removed = true;
            cache.remove(id, entry);
            return existed;
        }
    }

    @FunctionalInterface
    private interface DesiredEdit {
        ObjectNode apply(ObjectNode currentDesired);
    }

    private long changeDesired(IdentityId id, DesiredEdit edit) throws InvalidTwinException, IOException {
        Change[] change = new Change[1];
        TwinDocument after = change(id, current -> {
            ObjectNode desired = edit.apply(current.desired());
            ObjectNode patch = JsonMergePatch.diff(current.desired(), desired);
            if (patch.isEmpty()) {
                return current;
            }
            limits.check(desired, "the desired properties");
            TwinDocument next = current.withDesired(desired);
            change[0] = new Change(next.desiredVersion(), patch);
            return next;
        }, NOTHING_MORE);
        if (change[0] != null) {
            notifyListeners(id, change[0]);
        }
        return after.desiredVersion();
    }

    @FunctionalInterface
    private interface Saved {
        /** Runs under the identity's lock once a change is on disk; must not throw. */
        void changed(TwinDocument before, TwinDocument after);
    }

    private static final Saved NOTHING_MORE = (before, after) -> {
    };

    /**
     * Applies an edit under the identity's lock; the file is written before the cache changes.
     * {@code saved} runs under the same lock so that one twin's notifications are stored in
     * version order.
     */
    private TwinDocument change(IdentityId id, Edit edit, Saved saved) throws InvalidTwinException, IOException {
        while (true) {
            Entry entry = entryOf(id);
            synchronized (entry) {
                if (entry.removed) {
                    continue;
                }
                TwinDocument current = loaded(id, entry);
                TwinDocument next = edit.apply(current);
                if (next != current) {
                    files().save(id, next);
                    entry.twin = next;
                    saved.changed(current, next);
                }
                return next;
            }
        }
    }

    private void notifyListeners(IdentityId id, Change change) {
        ObjectNode patch = change.patch();
        patch.put("$version", change.version());
        String json = text(patch);
        for (DesiredPropertiesListener listener : listeners) {
            try {
                listener.desiredChanged(id, json, change.version());
            } catch (RuntimeException e) {
                LOG.warn("Desired properties listener {} failed for {} at version {}",
                        listener.getClass().getName(), id, change.version(), e);
            }
        }
    }

    private Entry entryOf(IdentityId id) {
        return cache.computeIfAbsent(id, key -> new Entry());
    }

    private TwinDocument loaded(IdentityId id, Entry entry) throws IOException {
        if (entry.twin == null) {
            entry.twin = files().load(id);
        }
        return entry.twin;
    }

    private TwinFiles files() {
        TwinFiles current = files;
        if (current == null) {
            throw new IllegalStateException("the twin store is not active");
        }
        return current;
    }

    private String text(ObjectNode node) {
        try {
            return mapper.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            // A tree the store built from parsed JSON always serialises.
            throw new UncheckedIOException(e);
        }
    }
}
