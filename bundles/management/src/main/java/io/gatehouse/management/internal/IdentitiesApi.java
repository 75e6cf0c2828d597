package io.gatehouse.management.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.api.identity.Identity;
import io.gatehouse.api.identity.IdentityExistsException;
import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.identity.IdentityRegistry;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /api/identities}: list identities (never their keys, but their X.509 thumbprints, which
 * are not secrets), register one (optionally an edge device, or a device below one, or one that may
 * also authenticate with a self-signed certificate), show the connection string of one again,
 * remove one. The registry may be null while its bundle is away: 503.
 */
public final class IdentitiesApi {
    private static final Logger LOG = LoggerFactory.getLogger(IdentitiesApi.class);
    private static final List<String> ADD_FIELDS = List.of("deviceId", "moduleId", "primaryKey", "secondaryKey",
            "edgeDevice", "parentDeviceId", "x509Thumbprint");
    /** IoT Hub's names in a device's {@code authentication.x509Thumbprint}. */
    private static final List<String> THUMBPRINT_FIELDS = List.of("primaryThumbprint", "secondaryThumbprint");
    private static final String THUMBPRINTS = "x509Thumbprint";

    private final IdentityRegistry registry;
    private final ConnectionStrings connectionStrings;
    private final ObjectMapper mapper;

    public IdentitiesApi(IdentityRegistry registry, ConnectionStrings connectionStrings, ObjectMapper mapper) {
        this.registry = registry;
        this.connectionStrings = connectionStrings;
        this.mapper = mapper;
    }

    /** GET on the collection ({@code path} null or "/") or on one identity. */
    public ApiResponse get(String path) {
        if (registry == null) return unavailable();
        IdentityId id;
        try {
            id = idFromPath(path);
        } catch (ApiException e) {
            return ApiResponse.error(e.status(), e.reason());
        }
        if (id == null) {
            return list();
        }
        Optional<Identity> identity = registry.get(id);
        if (identity.isEmpty()) {
            return notRegistered(id);
        }
        return ApiResponse.ok(answer(identity.get()));
    }

    private ApiResponse list() {
        ArrayNode array = mapper.createArrayNode();
        registry.list().stream()
                .sorted(Comparator.comparing((Identity i) -> i.id().toString()))
                .forEach(i -> array.add(describe(i)));
        return ApiResponse.ok(array);
    }

    /**
     * POST on the collection with {@code {"deviceId", "moduleId"?, "primaryKey"?, "secondaryKey"?,
     * "edgeDevice"?, "parentDeviceId"?, "x509Thumbprint"?: {"primaryThumbprint", "secondaryThumbprint"?}}}.
     * Whether a module may be an edge device or have a parent, whether the parent is a registered
     * edge device, and whether a thumbprint is well formed, is the registry's to decide: its reason
     * is the answer.
     */
    public ApiResponse add(String path, byte[] body) {
        if (registry == null) return unavailable();
        if (path != null && !path.equals("/")) {
            return ApiResponse.error(405, "register an identity with POST /api/identities and its ids in the body");
        }
        IdentityId id;
        String primaryKey;
        String secondaryKey;
        boolean edgeDevice;
        String parentDeviceId;
        Thumbprints thumbprints;
        try {
            ObjectNode request = JsonBodies.readObject(mapper, body, "the identity");
            JsonBodies.rejectUnknownFields(request, ADD_FIELDS, "");
            String deviceId = JsonBodies.text(request, "deviceId", true, "");
            String moduleId = JsonBodies.text(request, "moduleId", false, "");
            id = new IdentityId(deviceId, moduleId);
            primaryKey = JsonBodies.text(request, "primaryKey", false, "");
            secondaryKey = JsonBodies.text(request, "secondaryKey", false, "");
            edgeDevice = Boolean.TRUE.equals(JsonBodies.bool(request, "edgeDevice", ""));
            parentDeviceId = JsonBodies.text(request, "parentDeviceId", false, "");
            thumbprints = thumbprints(request);
        } catch (ApiException e) {
            return ApiResponse.error(e.status(), e.reason());
        }
        Identity requested = new Identity(id, primaryKey, secondaryKey, edgeDevice, parentDeviceId,
                thumbprints.primary(), thumbprints.secondary());
        try {
            thumbprints.checkNotLostIn(requested);
        } catch (ApiException e) {
            return ApiResponse.error(e.status(), e.reason());
        }
        Identity added;
        try {
            // A plain identity keeps going through the call every registry version has.
            added = edgeDevice || parentDeviceId != null || thumbprints.primary() != null
                    ? registry.add(requested)
                    : registry.add(id, primaryKey, secondaryKey);
        } catch (IllegalArgumentException refused) {
            String reason = refused.getMessage() == null ? "invalid identity" : refused.getMessage();
            return ApiResponse.error(refused instanceof IdentityExistsException ? 409 : 400, reason);
        }
        LOG.info("Registered identity {}", added);
        return new ApiResponse(201, answer(added));
    }

    /** The thumbprints as given (before {@link Identity}'s normalisation); both null when none. */
    private record Thumbprints(String primary, String secondary) {

        /**
         * Identity drops colons and spaces, so {@code ":"} would silently become no thumbprint and
         * the identity would be registered for SAS only: refused instead.
         */
        void checkNotLostIn(Identity identity) throws ApiException {
            if (primary != null && identity.primaryThumbprint() == null) throw noDigits("primaryThumbprint");
            if (secondary != null && identity.secondaryThumbprint() == null) throw noDigits("secondaryThumbprint");
        }

        private static ApiException noDigits(String field) {
            return new ApiException(400, THUMBPRINTS + "." + field
                    + " has no hex digits; a SHA-1 thumbprint has 40, a SHA-256 one 64");
        }
    }

    /**
     * {@code "x509Thumbprint": {"primaryThumbprint", "secondaryThumbprint"?}}, absent or null for
     * none. The primary is required in it: a secondary alone would be a thumbprint to roll to with
     * nothing to roll from, which IoT Hub does not register either.
     */
    private static Thumbprints thumbprints(ObjectNode request) throws ApiException {
        JsonNode value = request.get(THUMBPRINTS);
        if (value == null || value.isNull()) return new Thumbprints(null, null);
        if (!value.isObject()) {
            throw new ApiException(400, THUMBPRINTS + " must be an object {\"primaryThumbprint\": \"…\", "
                    + "\"secondaryThumbprint\": \"…\"}, not " + JsonBodies.describe(value));
        }
        ObjectNode object = (ObjectNode) value;
        String prefix = THUMBPRINTS + ".";
        JsonBodies.rejectUnknownFields(object, THUMBPRINT_FIELDS, prefix);
        return new Thumbprints(JsonBodies.text(object, "primaryThumbprint", true, prefix),
                JsonBodies.text(object, "secondaryThumbprint", false, prefix));
    }

    /** DELETE on one identity. */
    public ApiResponse remove(String path) {
        if (registry == null) return unavailable();
        IdentityId id;
        try {
            id = idFromPath(path);
        } catch (ApiException e) {
            return ApiResponse.error(e.status(), e.reason());
        }
        if (id == null) {
            return ApiResponse.error(405, "name the identity to remove: DELETE /api/identities/{deviceId}[/{moduleId}]");
        }
        try {
            if (!registry.remove(id)) {
                return notRegistered(id);
            }
        } catch (IllegalArgumentException refused) {
            // An edge device that still parents devices: they would be left with no way in.
            return ApiResponse.error(409, refused.getMessage() == null ? "identity " + id + " cannot be removed"
                    : refused.getMessage());
        }
        LOG.info("Removed identity {}", id);
        ObjectNode answer = idNode(id);
        answer.put("removed", true);
        return ApiResponse.ok(answer);
    }

    /**
     * The identity named by the path after {@code /api/identities}: null for the collection,
     * {@code /d} for a device, {@code /d/m} for a module.
     */
    static IdentityId idFromPath(String path) throws ApiException {
        if (path == null || path.equals("/")) {
            return null;
        }
        String[] segments = path.substring(1).split("/", -1);
        if (segments.length > 2) {
            throw new ApiException(404, "no such resource: use /api/identities/{deviceId}[/{moduleId}]");
        }
        for (String segment : segments) {
            if (segment.isEmpty()) {
                throw new ApiException(400, "empty id in path " + path + ": use /api/identities/{deviceId}[/{moduleId}]");
            }
        }
        return segments.length == 1 ? IdentityId.device(segments[0]) : IdentityId.module(segments[0], segments[1]);
    }

    private ObjectNode answer(Identity identity) {
        ObjectNode answer = describe(identity);
        answer.put("connectionString", connectionStrings.of(identity));
        return answer;
    }

    /**
     * Ids, edge capability, parent, how it may authenticate and its thumbprints: everything but the
     * keys. {@code selfSigned} (IoT Hub's name) does not take the keys away: every identity here
     * has them, and a SAS token signed with one still authenticates it.
     */
    private ObjectNode describe(Identity identity) {
        ObjectNode node = idNode(identity.id());
        node.put("edgeDevice", identity.edgeDevice());
        if (identity.parentDeviceId() != null) node.put("parentDeviceId", identity.parentDeviceId());
        boolean x509 = identity.primaryThumbprint() != null || identity.secondaryThumbprint() != null;
        node.put("authentication", x509 ? "selfSigned" : "sas");
        if (x509) {
            ObjectNode thumbprints = node.putObject(THUMBPRINTS);
            thumbprints.put("primaryThumbprint", identity.primaryThumbprint());
            thumbprints.put("secondaryThumbprint", identity.secondaryThumbprint());
        }
        return node;
    }

    private ObjectNode idNode(IdentityId id) {
        ObjectNode node = mapper.createObjectNode();
        node.put("deviceId", id.deviceId());
        node.put("moduleId", id.moduleId());
        return node;
    }

    private static ApiResponse notRegistered(IdentityId id) {
        return ApiResponse.error(404, "identity " + id + " is not registered");
    }

    private static ApiResponse unavailable() {
        return ApiResponse.unavailable("the identity registry", "io.gatehouse.auth");
    }
}
