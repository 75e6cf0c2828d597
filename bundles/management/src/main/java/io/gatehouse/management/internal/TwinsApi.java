package io.gatehouse.management.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.twin.InvalidTwinException;
import io.gatehouse.api.twin.Twin;
import io.gatehouse.api.twin.TwinStore;
import java.io.IOException;

/**
 * {@code /api/twins/{deviceId}[/modules/{moduleId}]}: a twin as IoT Hub's service API shows it
 * ({@code GET}: {@code {"deviceId", "moduleId"?, "properties": {"desired": {…, "$version"},
 * "reported": {…, "$version"}}}}), and a desired patch ({@code PATCH} with
 * {@code {"properties": {"desired": {…}}}}), which reaches the client at once if it is connected
 * and subscribed. This is how an operator plays the cloud's part on a gateway with no upstream.
 */
final class TwinsApi {
    private final TwinStore store;
    private final ObjectMapper mapper;

    TwinsApi(TwinStore store, ObjectMapper mapper) {
        this.store = store;
        this.mapper = mapper;
    }

    ApiResponse get(String path) {
        try {
            IdentityId id = identity(path);
            if (store == null) return unavailable();
            return ApiResponse.ok(twin(id, store.get(id)));
        } catch (ApiException e) {
            return ApiResponse.error(e.status(), e.reason());
        } catch (IOException e) {
            return ApiResponse.error(507, "the twin could not be read: " + e.getMessage());
        }
    }

    ApiResponse patch(String path, byte[] body) {
        try {
            IdentityId id = identity(path);
            ObjectNode request = JsonBodies.readObject(mapper, body, "the twin patch");
            JsonNode desired = request.path("properties").path("desired");
            if (!desired.isObject()) {
                throw new ApiException(400, "the twin patch must be {\"properties\": {\"desired\": {…}}}; "
                        + "properties.desired is " + (desired.isMissingNode() ? "missing" : JsonBodies.describe(desired)));
            }
            if (store == null) return unavailable();
            store.patchDesired(id, mapper.writeValueAsString(desired));
            return ApiResponse.ok(twin(id, store.get(id)));
        } catch (ApiException e) {
            return ApiResponse.error(e.status(), e.reason());
        } catch (InvalidTwinException e) {
            return ApiResponse.error(400, "desired properties refused: " + e.getMessage());
        } catch (IOException e) {
            return ApiResponse.error(507, "the twin could not be stored: " + e.getMessage());
        }
    }

    private ObjectNode twin(IdentityId id, Twin twin) throws JsonProcessingException {
        ObjectNode body = mapper.createObjectNode();
        body.put("deviceId", id.deviceId());
        if (id.isModule()) body.put("moduleId", id.moduleId());
        ObjectNode properties = body.putObject("properties");
        ObjectNode desired = (ObjectNode) mapper.readTree(twin.desiredJson());
        desired.put("$version", twin.desiredVersion());
        properties.set("desired", desired);
        ObjectNode reported = (ObjectNode) mapper.readTree(twin.reportedJson());
        reported.put("$version", twin.reportedVersion());
        properties.set("reported", reported);
        return body;
    }

    /** {@code /{deviceId}} or {@code /{deviceId}/modules/{moduleId}}. */
    static IdentityId identity(String path) throws ApiException {
        String[] parts = path == null ? new String[0] : path.split("/", -1);
        if (parts.length == 2 && parts[0].isEmpty() && !parts[1].isEmpty()) return IdentityId.device(parts[1]);
        if (parts.length == 4 && parts[0].isEmpty() && !parts[1].isEmpty() && parts[2].equals("modules")
                && !parts[3].isEmpty()) {
            return IdentityId.module(parts[1], parts[3]);
        }
        throw new ApiException(404, "no such resource /api/twins" + (path == null ? "" : path)
                + "; this endpoint serves /api/twins/{deviceId} and /api/twins/{deviceId}/modules/{moduleId}");
    }

    private static ApiResponse unavailable() {
        return ApiResponse.unavailable("the twin store", "io.gatehouse.twin");
    }
}
