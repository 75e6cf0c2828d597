package io.gatehouse.management.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.twin.InvalidTwinException;
import io.gatehouse.api.twin.TwinStore;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The module twins of a deployment: each {@code modulesContent.<module>.properties.desired} other
 * than the agent's and the hub's becomes the desired properties of {@code <deviceId>/<module>},
 * as IoT Hub copies them into the module's twin.
 */
record ModuleTwins(TwinStore store, String deviceId) {

    /** Module name → its desired properties as JSON, for every module twin in the manifest. */
    static Map<String, String> of(Map<String, JsonNode> modulesContent, ObjectMapper mapper) throws ApiException {
        Map<String, String> twins = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : modulesContent.entrySet()) {
            JsonNode desired = e.getValue().get(DeploymentApi.DESIRED);
            if (desired == null) continue;
            if (!desired.isObject()) {
                throw new ApiException(400, DeploymentApi.MODULES_CONTENT + "." + e.getKey() + "." + DeploymentApi.DESIRED
                        + " must be a JSON object, not " + JsonBodies.describe(desired));
            }
            try {
                twins.put(e.getKey(), mapper.writeValueAsString(desired));
            } catch (IOException ex) {
                throw new ApiException(400, "could not re-serialise " + e.getKey() + "'s desired properties");
            }
        }
        return twins;
    }

    void validate(Map<String, String> twins) throws ApiException {
        for (Map.Entry<String, String> t : twins.entrySet()) {
            try {
                store.validate(t.getValue());
            } catch (InvalidTwinException e) {
                throw new ApiException(400, "the desired properties of module " + t.getKey() + " are refused: "
                        + e.getMessage());
            }
        }
    }

    void apply(Map<String, String> twins) throws IOException, InvalidTwinException {
        for (Map.Entry<String, String> t : twins.entrySet()) {
            store.replaceDesired(IdentityId.module(deviceId, t.getKey()), t.getValue());
        }
    }
}
