package io.gatehouse.upstream.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.twin.InvalidTwinException;
import io.gatehouse.api.twin.Twin;
import io.gatehouse.api.twin.TwinStore;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mirrors a set of twins through the parent, each on its identity's own channel (over MQTT its own
 * connection on behalf, over AMQP its session on the shared connection). Desired properties come
 * down: the whole set, compared with the local twin, at each connect; every patch after that.
 * Reported properties go up: the difference since the version the parent last took, once per
 * report interval. Which identities are mirrored is asked at each {@link #maintain}: one instance
 * mirrors this gateway's own modules (from the registry), another the leaf devices directly below
 * it (from the learned scope; see {@link MirrorTargets}). Used from the runtime's scheduler thread only.
 */
final class TwinMirror {
    private static final Logger LOG = LoggerFactory.getLogger(TwinMirror.class);

    /** What is known about one mirrored identity. */
    private static final class Mirrored {
        /** The {@link ParentChannel#connects()} whose twin was read; -1: read it (again). */
        long syncedSession = -1;
        /** The parent's desired {@code $version} in that read, or after the last patch taken. */
        Long parentDesiredVersion;
        /** The parent's reported properties in that read: what is compared when nothing was pushed yet. */
        ObjectNode parentReported;
        PushedReports.Pushed pushed;
        long refusedVersion = -1;
        String lastFailure;
    }

    private final String kind;
    private final Supplier<Set<IdentityId>> wanted;
    private final ConnectionPool pool;
    private final TwinClient twins;
    private final PushedReports pushedFile;
    private final Supplier<TwinStore> store;
    private final ObjectMapper json;
    private final Map<IdentityId, Mirrored> mirrored = new HashMap<>();

    /**
     * @param kind what the mirrored identities are, for the log ("module of this gateway")
     * @param wanted the identities to mirror now; asked at each {@link #maintain}
     */
    TwinMirror(String kind, Supplier<Set<IdentityId>> wanted, ConnectionPool pool, TwinClient twins,
            PushedReports pushedFile, Supplier<TwinStore> store, ObjectMapper json) {
        this.kind = kind;
        this.wanted = wanted;
        this.pool = pool;
        this.twins = twins;
        this.pushedFile = pushedFile;
        this.store = store;
        this.json = json;
    }

    /** The identities mirrored now (pinned: their channels are never closed as idle). */
    Set<IdentityId> identities() {
        return Set.copyOf(mirrored.keySet());
    }

    /** The twin store came (back): every twin is read again, as after a reconnect. */
    void resyncAll() {
        for (Mirrored m : mirrored.values()) m.syncedSession = -1;
    }

    /**
     * Follows the wanted identities, keeps each one's channel connected, reads its twin after each
     * connect and pushes its reported properties when they changed. An identity no longer wanted
     * loses its channel and its record. Call while the link is up.
     */
    void maintain() {
        Set<IdentityId> now = wanted.get();
        for (IdentityId gone : Set.copyOf(mirrored.keySet())) {
            if (now.contains(gone)) continue;
            mirrored.remove(gone);
            pool.discard(gone);
            pushedFile.forget(gone);
            LOG.info("{} is no longer a {}: its twin is no longer mirrored through the parent", gone, kind);
        }
        for (IdentityId id : now) {
            Mirrored m = mirrored.get(id);
            if (m == null) {
                m = new Mirrored();
                m.pushed = pushedFile.load(id);
                mirrored.put(id, m);
                LOG.info("mirroring the twin and the direct methods of {} ({}) through the parent", id, kind);
            }
            try {
                ParentChannel c = pool.connected(id);
                TwinStore s = store.get();
                if (s == null) continue;
                if (m.syncedSession != c.connects()) syncDesired(id, m, c, s);
                pushReported(id, m, c, s);
                m.lastFailure = null;
            } catch (UpstreamException | IOException e) {
                String reason = e.getMessage();
                if (!Objects.equals(reason, m.lastFailure)) {
                    LOG.warn("mirroring the twin of {} through the parent: {}; trying again", id, reason);
                    m.lastFailure = reason;
                }
            }
        }
    }

    /** At connect: the parent's desired properties replace the local ones when they differ. */
    private void syncDesired(IdentityId id, Mirrored m, ParentChannel c, TwinStore s)
            throws UpstreamException, IOException {
        long session = c.connects();
        JsonNode twin = twins.get(c);
        ObjectNode desired = side(twin.get("desired"));
        ObjectNode reported = side(twin.get("reported"));
        if (desired == null || reported == null) {
            throw new UpstreamException("the parent's twin of " + id + " has desired or reported properties that are "
                    + "not an object");
        }
        Long parentVersion = version(desired.get("$version"));
        ObjectNode parentDesired = stripped(desired);
        ObjectNode local = parse(s.get(id).desiredJson());
        m.parentReported = stripped(reported);
        m.parentDesiredVersion = parentVersion;
        m.syncedSession = session;
        if (local != null && stripped(local).equals(parentDesired)) return;
        try {
            long v = s.replaceDesired(id, parentDesired.toString());
            LOG.info("took the desired properties of {} from the parent (its version {}, local version {})", id,
                    parentVersion, v);
        } catch (InvalidTwinException e) {
            LOG.warn("the local twin store refused the desired properties of {} from the parent (version {}): {}; "
                    + "the local twin is unchanged", id, parentVersion, e.getMessage());
        }
    }

    /** A desired patch the parent sent on {@code id}'s channel, with its version when the parent gave one. */
    void desiredPatch(IdentityId id, Long version, byte[] body) {
        Mirrored m = mirrored.get(id);
        if (m == null) {
            LOG.debug("desired patch for {}, which is not mirrored: ignored", id);
            return;
        }
        if (version != null && m.parentDesiredVersion != null && version <= m.parentDesiredVersion) {
            LOG.debug("desired patch {} of {} is in the twin already read", version, id);
            return;
        }
        ObjectNode patch;
        try {
            patch = object(json.readTree(body));
        } catch (IOException e) {
            patch = null;
        }
        if (patch == null) {
            LOG.warn("the parent sent a desired patch for {} that is not a JSON object; the local twin is unchanged", id);
            return;
        }
        if (version == null) version = version(patch.get("$version"));
        TwinStore s = store.get();
        if (s == null) {
            // read the whole twin when the store is there
            m.syncedSession = -1;
            return;
        }
        try {
            s.patchDesired(id, stripped(patch).toString());
            if (version != null) m.parentDesiredVersion = version;
        } catch (InvalidTwinException e) {
            LOG.warn("the local twin store refused the desired patch {} of {} from the parent: {}; the local twin is "
                    + "unchanged", version, id, e.getMessage());
        } catch (IOException e) {
            LOG.warn("the desired patch {} of {} could not be stored: {}; the twin will be read from the parent again",
                    version, id, e.getMessage());
            m.syncedSession = -1;
        }
    }

    /** Sends what changed in the local reported properties since the version the parent last took. */
    private void pushReported(IdentityId id, Mirrored m, ParentChannel c, TwinStore s)
            throws UpstreamException, IOException {
        if (m.syncedSession != c.connects()) return;
        Twin local = s.get(id);
        long version = local.reportedVersion();
        if (m.pushed != null && m.pushed.version() == version) return;
        if (version == m.refusedVersion) return;
        ObjectNode now = parse(local.reportedJson());
        if (now == null) throw new IOException("the local reported properties of " + id + " are not a JSON object");
        now = stripped(now);
        if (m.pushed == null && now.isEmpty() && version <= 1) return; // it never reported: nothing to say
        ObjectNode base = m.pushed != null ? m.pushed.reported() : m.parentReported;
        ObjectNode patch = JsonMergeDiff.diff(base == null ? json.createObjectNode() : base, now);
        if (!patch.isEmpty()) {
            Requests.Response r = twins.patchReported(c, patch);
            if (r.status() == 400) {
                m.refusedVersion = version;
                LOG.warn("the parent refused the reported properties of {} (local version {}): {}", id, version,
                        TwinClient.brief(r.text()));
                return;
            }
            if (!r.success()) {
                throw new UpstreamException("the reported patch of " + id + " was answered " + r.status() + ": "
                        + TwinClient.brief(r.text()));
            }
        }
        m.pushed = new PushedReports.Pushed(version, now);
        m.refusedVersion = -1;
        try {
            pushedFile.save(id, m.pushed);
        } catch (IOException e) {
            LOG.warn("cannot record the reported version pushed for {} ({}); a restart sends it again", id,
                    e.getMessage());
        }
    }

    private ObjectNode parse(String text) throws IOException {
        return object(json.readTree(text));
    }

    private static ObjectNode object(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) return null;
        return node.isObject() ? (ObjectNode) node : null;
    }

    /** A side of the parent's twin; an absent one is empty, one that is not an object is null. */
    private ObjectNode side(JsonNode node) {
        if (node == null || node.isNull()) return json.createObjectNode();
        return object(node);
    }

    private static ObjectNode stripped(ObjectNode properties) {
        ObjectNode copy = properties.deepCopy();
        copy.remove("$version");
        copy.remove("$metadata");
        return copy;
    }

    private static Long version(JsonNode v) {
        return v != null && v.canConvertToLong() ? v.asLong() : null;
    }
}
