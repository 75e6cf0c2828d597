package io.gatehouse.management.internal;

import static io.gatehouse.management.internal.Bodies.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.api.identity.IdentityId;
import org.junit.jupiter.api.Test;

class IdentitiesApiTest {
    private static final String KEY = "c2VjcmV0LWtleS0xMjM0NTY3ODkwYWJjZGVmZ2hpams=";
    private final ObjectMapper mapper = JsonBodies.newMapper();
    private final InMemoryIdentityRegistry registry = new InMemoryIdentityRegistry();
    private final IdentitiesApi api = new IdentitiesApi(registry,
            new ConnectionStrings("plant.azure-devices.net", "gw.plant.local"), mapper);

    @Test
    void addingADeviceAnswers201WithItsConnectionString() {
        ApiResponse answer = api.add(null, json("{'deviceId': 'press-7', 'primaryKey': '" + KEY + "'}"));

        assertThat(answer.status()).isEqualTo(201);
        assertThat(answer.body().get("deviceId").asText()).isEqualTo("press-7");
        assertThat(answer.body().get("moduleId").isNull()).isTrue();
        assertThat(answer.body().get("connectionString").asText()).isEqualTo(
                "HostName=plant.azure-devices.net;DeviceId=press-7;SharedAccessKey=" + KEY
                        + ";GatewayHostName=gw.plant.local");
        assertThat(registry.get(IdentityId.device("press-7")).orElseThrow().primaryKey()).isEqualTo(KEY);
    }

    @Test
    void addingAModuleWithoutKeysGetsGeneratedOnesAndAModuleIdInTheConnectionString() {
        ApiResponse answer = api.add("/", json("{'deviceId': 'edge1', 'moduleId': 'filter'}"));

        assertThat(answer.status()).isEqualTo(201);
        String key = registry.get(IdentityId.module("edge1", "filter")).orElseThrow().primaryKey();
        assertThat(key).isNotBlank();
        assertThat(answer.body().get("moduleId").asText()).isEqualTo("filter");
        assertThat(answer.body().get("connectionString").asText()).isEqualTo(
                "HostName=plant.azure-devices.net;DeviceId=edge1;ModuleId=filter;SharedAccessKey=" + key
                        + ";GatewayHostName=gw.plant.local");
    }

    @Test
    void addingAnExistingIdentityIs409AndKeepsItsKey() {
        api.add(null, json("{'deviceId': 'press-7', 'primaryKey': '" + KEY + "'}"));

        ApiResponse answer = api.add(null, json("{'deviceId': 'press-7'}"));

        assertThat(answer.status()).isEqualTo(409);
        assertThat(answer.body().get("error").asText()).contains("already exists");
        assertThat(registry.get(IdentityId.device("press-7")).orElseThrow().primaryKey()).isEqualTo(KEY);
    }

    @Test
    void aReasonFromTheRegistryIs400AndRegistersNothing() {
        ApiResponse answer = api.add(null, json("{'deviceId': 'press-7', 'primaryKey': 'not base64!'}"));

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.body().get("error").asText()).isEqualTo("primaryKey is not valid base64");
        assertThat(registry.list()).isEmpty();
    }

    @Test
    void invalidRequestsAre400WithAReasonAndRegisterNothing() {
        assertRefused("{'moduleId': 'filter'}", "deviceId is required");
        assertRefused("{'deviceId': null}", "deviceId is required");
        assertRefused("{'deviceId': 7}", "deviceId must be a string, not a number");
        assertRefused("{'deviceId': ''}", "deviceId must not be empty");
        assertRefused("{'deviceId': 'd', 'moduleId': ''}", "moduleId must not be empty (leave it out instead)");
        assertRefused("{'deviceId': 'd', 'primaryKey': ['x']}", "primaryKey must be a string, not an array");
        assertRefused("{'deviceId': 'd', 'primarykey': 'x'}", "unknown field \"primarykey\"");
        assertRefused("{'deviceId': 'd'", "malformed JSON at line 1");
        assertRefused("['d']", "the identity must be a JSON object, not an array");
        assertRefused("", "the identity is missing");
        assertThat(registry.list()).isEmpty();
    }

    private void assertRefused(String body, String reason) {
        ApiResponse answer = api.add(null, json(body));
        assertThat(answer.status()).as(body).isEqualTo(400);
        assertThat(answer.body().get("error").asText()).as(body).contains(reason);
    }

    @Test
    void postingToAnIdentityPathIs405() {
        ApiResponse answer = api.add("/press-7", json("{'deviceId': 'press-7'}"));
        assertThat(answer.status()).isEqualTo(405);
        assertThat(registry.list()).isEmpty();
    }

    @Test
    void theListNamesIdentitiesSortedAndNeverShowsAKey() throws Exception {
        api.add(null, json("{'deviceId': 'press-7', 'primaryKey': '" + KEY + "', 'secondaryKey': '" + KEY + "'}"));
        api.add(null, json("{'deviceId': 'edge1', 'moduleId': 'filter'}"));

        ApiResponse answer = api.get(null);

        assertThat(answer.status()).isEqualTo(200);
        String text = mapper.writeValueAsString(answer.body());
        assertThat(text).isEqualTo("[{\"deviceId\":\"edge1\",\"moduleId\":\"filter\",\"edgeDevice\":false,"
                + "\"authentication\":\"sas\"},"
                + "{\"deviceId\":\"press-7\",\"moduleId\":null,\"edgeDevice\":false,\"authentication\":\"sas\"}]");
        assertThat(text).doesNotContain(KEY).doesNotContain("Key");
    }

    @Test
    void anEdgeDeviceAndADeviceBelowItAreRegisteredListedAndShownWithTheirPlace() throws Exception {
        ApiResponse edge = api.add(null, json("{'deviceId': 'child1', 'edgeDevice': true, 'primaryKey': '" + KEY + "'}"));
        assertThat(edge.status()).isEqualTo(201);
        assertThat(edge.body().get("edgeDevice").asBoolean()).isTrue();
        assertThat(edge.body().has("parentDeviceId")).isFalse();
        // An edge device's connection string has the same form as any device's.
        assertThat(edge.body().get("connectionString").asText()).isEqualTo(
                "HostName=plant.azure-devices.net;DeviceId=child1;SharedAccessKey=" + KEY + ";GatewayHostName=gw.plant.local");

        ApiResponse leaf = api.add(null, json("{'deviceId': 'sensor-3', 'parentDeviceId': 'child1', 'edgeDevice': false}"));
        assertThat(leaf.status()).isEqualTo(201);
        assertThat(leaf.body().get("edgeDevice").asBoolean()).isFalse();
        assertThat(leaf.body().get("parentDeviceId").asText()).isEqualTo("child1");
        assertThat(registry.get(IdentityId.device("sensor-3")).orElseThrow().parentDeviceId()).isEqualTo("child1");
        assertThat(registry.get(IdentityId.device("child1")).orElseThrow().edgeDevice()).isTrue();

        String list = mapper.writeValueAsString(api.get(null).body());
        assertThat(list).isEqualTo("[{\"deviceId\":\"child1\",\"moduleId\":null,\"edgeDevice\":true,"
                + "\"authentication\":\"sas\"},"
                + "{\"deviceId\":\"sensor-3\",\"moduleId\":null,\"edgeDevice\":false,\"parentDeviceId\":\"child1\","
                + "\"authentication\":\"sas\"}]");
        assertThat(list).doesNotContain(KEY);

        ApiResponse shown = api.get("/sensor-3");
        assertThat(shown.body().get("parentDeviceId").asText()).isEqualTo("child1");
        assertThat(shown.body().get("connectionString").asText()).isEqualTo(leaf.body().get("connectionString").asText());
    }

    @Test
    void aParentThatIsNotARegisteredEdgeDeviceOrAnEdgeModuleIsRefusedWithTheRegistrysReason() {
        api.add(null, json("{'deviceId': 'press-7'}"));

        ApiResponse unknown = api.add(null, json("{'deviceId': 'sensor-3', 'parentDeviceId': 'nobody'}"));
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.body().get("error").asText()).isEqualTo("parent nobody is not a registered edge device");
        ApiResponse notEdge = api.add(null, json("{'deviceId': 'sensor-3', 'parentDeviceId': 'press-7'}"));
        assertThat(notEdge.status()).isEqualTo(400);
        assertThat(notEdge.body().get("error").asText()).isEqualTo("parent press-7 is not a registered edge device");
        ApiResponse edgeModule = api.add(null, json("{'deviceId': 'press-7', 'moduleId': 'm', 'edgeDevice': true}"));
        assertThat(edgeModule.status()).isEqualTo(400);
        assertThat(edgeModule.body().get("error").asText()).contains("cannot be an edge device");

        assertThat(registry.list()).extracting(i -> i.id().toString()).containsExactly("press-7");
    }

    @Test
    void edgeDeviceAndParentAreStrictlyTyped() {
        assertRefused("{'deviceId': 'd', 'edgeDevice': 'true'}", "edgeDevice must be true or false, not a string");
        assertRefused("{'deviceId': 'd', 'edgeDevice': 1}", "edgeDevice must be true or false, not a number");
        assertRefused("{'deviceId': 'd', 'parentDeviceId': true}", "parentDeviceId must be a string, not a boolean");
        assertRefused("{'deviceId': 'd', 'parentDeviceId': ''}", "parentDeviceId must not be empty");
        assertRefused("{'deviceId': 'd', 'edgedevice': true}", "unknown field \"edgedevice\"");
        assertThat(registry.list()).isEmpty();
    }

    @Test
    void anEdgeDeviceThatStillParentsDevicesIsNotRemoved() {
        api.add(null, json("{'deviceId': 'child1', 'edgeDevice': true}"));
        api.add(null, json("{'deviceId': 'sensor-3', 'parentDeviceId': 'child1'}"));

        ApiResponse refused = api.remove("/child1");

        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.body().get("error").asText()).isEqualTo(
                "edge device child1 is the parent of other devices; remove them first");
        assertThat(registry.get(IdentityId.device("child1"))).isPresent();

        assertThat(api.remove("/sensor-3").status()).isEqualTo(200);
        assertThat(api.remove("/child1").status()).isEqualTo(200);
        assertThat(registry.list()).isEmpty();
    }

    @Test
    void aLostConnectionStringCanBeFetchedAgain() {
        String given = api.add(null, json("{'deviceId': 'edge1', 'moduleId': 'filter'}"))
                .body().get("connectionString").asText();

        ApiResponse module = api.get("/edge1/filter");
        assertThat(module.status()).isEqualTo(200);
        assertThat(module.body().get("connectionString").asText()).isEqualTo(given);

        ApiResponse device = api.get("/edge1");
        assertThat(device.status()).isEqualTo(404);
        assertThat(device.body().get("error").asText()).isEqualTo("identity edge1 is not registered");
    }

    @Test
    void badIdentityPathsAreRefused() {
        assertThat(api.get("/a/b/c").status()).isEqualTo(404);
        assertThat(api.get("/a//").status()).isEqualTo(404);
        ApiResponse empty = api.get("//m");
        assertThat(empty.status()).isEqualTo(400);
        assertThat(empty.body().get("error").asText()).contains("empty id");
        assertThat(api.remove("/a/").status()).isEqualTo(400);
    }

    @Test
    void removingAnIdentityAnswers200ThenItIsGone() {
        api.add(null, json("{'deviceId': 'edge1', 'moduleId': 'filter'}"));
        api.add(null, json("{'deviceId': 'edge1'}"));

        ApiResponse answer = api.remove("/edge1/filter");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body().get("removed").asBoolean()).isTrue();
        assertThat(registry.get(IdentityId.module("edge1", "filter"))).isEmpty();
        assertThat(registry.get(IdentityId.device("edge1"))).isPresent();
        assertThat(api.remove("/edge1/filter").status()).isEqualTo(404);
    }

    @Test
    void removingTheWholeCollectionIsRefused() {
        api.add(null, json("{'deviceId': 'edge1'}"));
        assertThat(api.remove(null).status()).isEqualTo(405);
        assertThat(api.remove("/").status()).isEqualTo(405);
        assertThat(registry.list()).hasSize(1);
    }

    /** openssl x509 -noout -fingerprint -sha1 prints it so (here in lower case). */
    private static final String SHA1_OPENSSL = "3a:9f:c2:07:5e:11:d4:8b:60:af:23:9c:b4:0e:7d:52:18:c6:f1:9a";
    private static final String SHA1 = "3A9FC2075E11D48B60AF239CB40E7D5218C6F19A";
    private static final String SHA256 = "5B0E8E1C4F7A2D9036B1C8E4F2A7D0193C6E5B8A4D2F1E0C9B7A6D5E4F3C2B1A";
    private static final String SHA256_OPENSSL = String.join(":", SHA256.split("(?<=\\G..)"));

    @Test
    void aSha1ThumbprintAsOpensslPrintsItIsRegisteredNormalisedAndShownWithSelfSigned() {
        ApiResponse answer = api.add(null, json("{'deviceId': 'press-7', 'primaryKey': '" + KEY + "', "
                + "'x509Thumbprint': {'primaryThumbprint': '" + SHA1_OPENSSL + "'}}"));

        assertThat(answer.status()).isEqualTo(201);
        assertThat(answer.body().get("authentication").asText()).isEqualTo("selfSigned");
        assertThat(answer.body().get("x509Thumbprint").get("primaryThumbprint").asText()).isEqualTo(SHA1);
        assertThat(answer.body().get("x509Thumbprint").get("secondaryThumbprint").isNull()).isTrue();
        // The keys stay: a SAS token still authenticates the identity, so its connection string is as ever.
        assertThat(answer.body().get("connectionString").asText()).isEqualTo(
                "HostName=plant.azure-devices.net;DeviceId=press-7;SharedAccessKey=" + KEY
                        + ";GatewayHostName=gw.plant.local");
        var registered = registry.get(IdentityId.device("press-7")).orElseThrow();
        assertThat(registered.primaryThumbprint()).isEqualTo(SHA1);
        assertThat(registered.secondaryThumbprint()).isNull();
        assertThat(registered.primaryKey()).isEqualTo(KEY);
    }

    @Test
    void sha256ThumbprintsInBothNotationsAreRegisteredForAModuleAndShownByTheSingleGet() throws Exception {
        ApiResponse answer = api.add(null, json("{'deviceId': 'edge1', 'moduleId': 'filter', 'x509Thumbprint': "
                + "{'primaryThumbprint': '" + SHA256 + "', 'secondaryThumbprint': '" + SHA256_OPENSSL.toLowerCase() + "'}}"));

        assertThat(answer.status()).isEqualTo(201);
        var registered = registry.get(IdentityId.module("edge1", "filter")).orElseThrow();
        assertThat(registered.primaryThumbprint()).isEqualTo(SHA256);
        assertThat(registered.secondaryThumbprint()).isEqualTo(SHA256);

        ApiResponse shown = api.get("/edge1/filter");
        assertThat(shown.status()).isEqualTo(200);
        assertThat(mapper.writeValueAsString(shown.body().get("x509Thumbprint"))).isEqualTo(
                "{\"primaryThumbprint\":\"" + SHA256 + "\",\"secondaryThumbprint\":\"" + SHA256 + "\"}");
        assertThat(shown.body().get("authentication").asText()).isEqualTo("selfSigned");
    }

    @Test
    void aThumbprintGoesWithAnEdgeDeviceAndAParentToo() {
        assertThat(api.add(null, json("{'deviceId': 'child1', 'edgeDevice': true, "
                + "'x509Thumbprint': {'primaryThumbprint': '" + SHA1 + "', 'secondaryThumbprint': '" + SHA256 + "'}}"))
                .status()).isEqualTo(201);
        assertThat(api.add(null, json("{'deviceId': 'sensor-3', 'parentDeviceId': 'child1', "
                + "'x509Thumbprint': {'primaryThumbprint': '" + SHA256_OPENSSL + "'}}")).status()).isEqualTo(201);

        var child = registry.get(IdentityId.device("child1")).orElseThrow();
        assertThat(child.edgeDevice()).isTrue();
        assertThat(child.primaryThumbprint()).isEqualTo(SHA1);
        assertThat(child.secondaryThumbprint()).isEqualTo(SHA256);
        var leaf = registry.get(IdentityId.device("sensor-3")).orElseThrow();
        assertThat(leaf.parentDeviceId()).isEqualTo("child1");
        assertThat(leaf.primaryThumbprint()).isEqualTo(SHA256);
    }

    @Test
    void aMalformedThumbprintIs400WithTheRegistrysReasonAndRegistersNothing() {
        ApiResponse shortOne = api.add(null, json("{'deviceId': 'press-7', 'x509Thumbprint': {'primaryThumbprint': 'a:bc'}}"));
        assertThat(shortOne.status()).isEqualTo(400);
        assertThat(shortOne.body().get("error").asText())
                .isEqualTo("the X.509 primary thumbprint has 3 hex digits; a SHA-1 thumbprint has 40, a SHA-256 one 64");

        ApiResponse notHex = api.add(null, json("{'deviceId': 'press-7', 'x509Thumbprint': {'primaryThumbprint': '"
                + SHA1 + "', 'secondaryThumbprint': '" + SHA1.replace('A', 'G') + "'}}"));
        assertThat(notHex.status()).isEqualTo(400);
        assertThat(notHex.body().get("error").asText()).startsWith("the X.509 secondary thumbprint is not hexadecimal");

        assertThat(registry.list()).isEmpty();
    }

    @Test
    void thumbprintsAreStrictlyShaped() {
        assertRefused("{'deviceId': 'd', 'x509Thumbprint': '" + SHA1 + "'}",
                "x509Thumbprint must be an object {\"primaryThumbprint\": \"…\", \"secondaryThumbprint\": \"…\"}, not a string");
        assertRefused("{'deviceId': 'd', 'x509Thumbprint': {}}", "x509Thumbprint.primaryThumbprint is required");
        assertRefused("{'deviceId': 'd', 'x509Thumbprint': {'secondaryThumbprint': '" + SHA1 + "'}}",
                "x509Thumbprint.primaryThumbprint is required");
        assertRefused("{'deviceId': 'd', 'x509Thumbprint': {'primaryThumbprint': ''}}",
                "x509Thumbprint.primaryThumbprint must not be empty");
        assertRefused("{'deviceId': 'd', 'x509Thumbprint': {'primaryThumbprint': 40}}",
                "x509Thumbprint.primaryThumbprint must be a string, not a number");
        // Identity would drop every character of these: refused rather than registered for SAS only.
        assertRefused("{'deviceId': 'd', 'x509Thumbprint': {'primaryThumbprint': ' : '}}",
                "x509Thumbprint.primaryThumbprint has no hex digits; a SHA-1 thumbprint has 40, a SHA-256 one 64");
        assertRefused("{'deviceId': 'd', 'x509Thumbprint': {'primaryThumbprint': '" + SHA1 + "', 'secondaryThumbprint': ':'}}",
                "x509Thumbprint.secondaryThumbprint has no hex digits");
        assertRefused("{'deviceId': 'd', 'x509Thumbprint': {'primaryThumbprint': '" + SHA1 + "', 'thumbprint': 'x'}}",
                "unknown field \"x509Thumbprint.thumbprint\"; the fields of x509Thumbprint are primaryThumbprint, "
                        + "secondaryThumbprint");
        // IoT Hub's own nesting is not this API's: the thumbprints sit beside the keys.
        assertRefused("{'deviceId': 'd', 'authentication': {'x509Thumbprint': {'primaryThumbprint': '" + SHA1 + "'}}}",
                "unknown field \"authentication\"");
        assertThat(registry.list()).isEmpty();
    }

    @Test
    void aNullThumbprintObjectIsNone() {
        ApiResponse answer = api.add(null, json("{'deviceId': 'd', 'x509Thumbprint': null}"));
        assertThat(answer.status()).isEqualTo(201);
        assertThat(answer.body().get("authentication").asText()).isEqualTo("sas");
        assertThat(answer.body().has("x509Thumbprint")).isFalse();
        assertThat(registry.get(IdentityId.device("d")).orElseThrow().primaryThumbprint()).isNull();
    }

    @Test
    void theListShowsHowEachIdentityAuthenticatesAndItsThumbprintsButNoKey() throws Exception {
        api.add(null, json("{'deviceId': 'press-7', 'primaryKey': '" + KEY + "', "
                + "'x509Thumbprint': {'primaryThumbprint': '" + SHA1_OPENSSL + "', 'secondaryThumbprint': '" + SHA256 + "'}}"));
        api.add(null, json("{'deviceId': 'press-8', 'primaryKey': '" + KEY + "'}"));

        String list = mapper.writeValueAsString(api.get(null).body());

        assertThat(list).isEqualTo("[{\"deviceId\":\"press-7\",\"moduleId\":null,\"edgeDevice\":false,"
                + "\"authentication\":\"selfSigned\",\"x509Thumbprint\":{\"primaryThumbprint\":\"" + SHA1
                + "\",\"secondaryThumbprint\":\"" + SHA256 + "\"}},"
                + "{\"deviceId\":\"press-8\",\"moduleId\":null,\"edgeDevice\":false,\"authentication\":\"sas\"}]");
        assertThat(list).doesNotContain(KEY).doesNotContain("Key");
    }

    @Test
    void withoutARegistryEveryCallIs503() {
        IdentitiesApi noRegistry = new IdentitiesApi(null, new ConnectionStrings("h", "g"), mapper);
        for (ApiResponse answer : new ApiResponse[] {noRegistry.get(null), noRegistry.get("/d"),
                noRegistry.add(null, json("{'deviceId': 'd'}")), noRegistry.remove("/d")}) {
            assertThat(answer.status()).isEqualTo(503);
            assertThat(answer.body().get("error").asText()).contains("identity registry", "io.gatehouse.auth");
        }
    }
}
