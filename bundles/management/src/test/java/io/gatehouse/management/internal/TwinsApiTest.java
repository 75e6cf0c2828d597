package io.gatehouse.management.internal;

import static io.gatehouse.management.internal.Bodies.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.api.identity.IdentityId;
import org.junit.jupiter.api.Test;

class TwinsApiTest {
    private final ObjectMapper mapper = JsonBodies.newMapper();
    private final RecordingTwinStore store = new RecordingTwinStore();
    private final TwinsApi api = new TwinsApi(store, mapper);

    @Test
    void aDesiredPatchIsStoredAndTheTwinShownWithItsVersions() {
        ApiResponse patched = api.patch("/edge1/modules/filter", json("{'properties': {'desired': {'threshold': 7}}}"));
        assertThat(patched.status()).isEqualTo(200);
        assertThat(patched.body().path("moduleId").asText()).isEqualTo("filter");
        assertThat(patched.body().path("properties").path("desired").toString()).isEqualTo("{\"threshold\":7,\"$version\":2}");
        assertThat(store.get(IdentityId.module("edge1", "filter")).desiredJson()).isEqualTo("{\"threshold\":7}");

        ApiResponse device = api.get("/sensor1");
        assertThat(device.status()).isEqualTo(200);
        assertThat(device.body().path("deviceId").asText()).isEqualTo("sensor1");
        assertThat(device.body().has("moduleId")).isFalse();
        assertThat(device.body().path("properties").path("reported").path("$version").asLong()).isEqualTo(1);
    }

    @Test
    void badRequestsSayWhyAndChangeNothing() {
        assertThat(api.patch("/edge1", json("{'desired': {'a': 1}}")).status()).isEqualTo(400);
        assertThat(api.patch("/edge1", json("[]")).status()).isEqualTo(400);
        ApiResponse refused = api.patch("/edge1", json("{'properties': {'desired': {'a.b': 1}}}"));
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.body().path("error").asText()).contains("a.b");
        assertThat(api.get("/edge1/inputs/x").status()).isEqualTo(404);
        assertThat(api.get(null).status()).isEqualTo(404);
        assertThat(store.twins).isEmpty();
        assertThat(new TwinsApi(null, mapper).get("/edge1").status()).isEqualTo(503);
    }
}
