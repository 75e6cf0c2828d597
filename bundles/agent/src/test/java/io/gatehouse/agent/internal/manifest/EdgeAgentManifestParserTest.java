package io.gatehouse.agent.internal.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class EdgeAgentManifestParserTest {

    static final String MANIFEST = """
            {
              "schemaVersion": "1.1",
              "runtime": {
                "type": "docker",
                "settings": {
                  "minDockerVersion": "v1.25",
                  "loggingOptions": "",
                  "registryCredentials": {
                    "plantacr": { "username": "plantacr", "password": "s3cr3t-pw", "address": "plantacr.azurecr.io" }
                  }
                }
              },
              "systemModules": {
                "edgeAgent": {
                  "type": "docker",
                  "settings": { "image": "mcr.microsoft.com/azureiotedge-agent:1.5", "createOptions": "{}" },
                  "env": { "UpstreamProtocol": { "value": "AmqpWs" } }
                },
                "edgeHub": {
                  "type": "docker",
                  "status": "running",
                  "startupOrder": 0,
                  "settings": { "image": "mcr.microsoft.com/azureiotedge-hub:1.5", "createOptions": "" }
                }
              },
              "modules": {
                "opcReader": {
                  "version": "2.3",
                  "type": "docker",
                  "status": "running",
                  "restartPolicy": "always",
                  "imagePullPolicy": "never",
                  "startupOrder": 1,
                  "env": { "POLL_MS": { "value": "500" }, "CONN": { "value": "HostName=x;SharedAccessKey=topsecretkey" } },
                  "settings": {
                    "image": "plantacr.azurecr.io/opc-reader",
                    "createOptions": "{\\"HostConfig\\":",
                    "createOptions01": " {\\"Memory\\": 268435456}}",
                    "digest": "sha256:abc"
                  }
                },
                "sensor": {
                  "type": "process",
                  "status": "stopped",
                  "restartPolicy": "on-failure",
                  "startupOrder": 4294967295,
                  "env": { "SAMPLE_RATE": { "value": 5 } },
                  "settings": { "command": ["python3", "sensor.py"], "workingDir": "/opt/sensor" }
                },
                "scaler": {
                  "type": "bundle",
                  "status": "running",
                  "settings": { "location": "mvn:com.example/scaler/1.0", "startLevel": 20, "autoStart": true, "options": null }
                }
              },
              "$version": 7
            }
            """;

    final EdgeAgentManifestParser parser = new EdgeAgentManifestParser();

    @Test
    void parsesARealisticManifestWithDockerProcessAndBundleModules() throws Exception {
        EdgeAgentManifest m = parser.parse(MANIFEST);

        assertThat(m.schemaVersion()).isEqualTo("1.1");
        assertThat(m.desiredVersion()).isEqualTo(7L);
        assertThat(m.runtime().type()).isEqualTo("docker");
        assertThat(m.runtime().settings().minDockerVersion()).isEqualTo("v1.25");
        assertThat(m.runtime().settings().registryCredentials())
                .containsExactly(Map.entry("plantacr", new RegistryCredential("plantacr", "s3cr3t-pw", "plantacr.azurecr.io")));

        ModuleDefinition agent = m.systemModules().edgeAgent().orElseThrow();
        assertThat(agent.status()).isEqualTo(ModuleStatus.RUNNING);
        assertThat(agent.restartPolicy()).isEqualTo(RestartPolicy.ALWAYS);
        assertThat(agent.startupOrder()).isZero();
        assertThat(agent.env()).containsEntry("UpstreamProtocol", "AmqpWs");
        ModuleDefinition hub = m.systemModules().edgeHub().orElseThrow();
        assertThat(hub.restartPolicy()).isEqualTo(RestartPolicy.ALWAYS);
        assertThat(hub.startupOrder()).isZero();
        assertThat(hub.settings().createOptions()).isEqualTo("{}");

        assertThat(m.modules()).containsOnlyKeys("opcReader", "sensor", "scaler");
        assertThat(m.modules().keySet()).containsExactly("opcReader", "sensor", "scaler");

        ModuleDefinition opc = m.modules().get("opcReader");
        assertThat(opc.type()).isEqualTo("docker");
        assertThat(opc.version()).isEqualTo("2.3");
        assertThat(opc.status()).isEqualTo(ModuleStatus.RUNNING);
        assertThat(opc.restartPolicy()).isEqualTo(RestartPolicy.ALWAYS);
        assertThat(opc.imagePullPolicy()).isEqualTo(ImagePullPolicy.NEVER);
        assertThat(opc.startupOrder()).isEqualTo(1);
        assertThat(opc.settings().image()).isEqualTo("plantacr.azurecr.io/opc-reader:latest");
        assertThat(opc.settings().createOptions()).isEqualTo("{\"HostConfig\":{\"Memory\":268435456}}");
        assertThat(opc.settings().digest()).isEqualTo("sha256:abc");
        assertThat(opc.settings().other()).isEmpty();

        ModuleDefinition sensor = m.modules().get("sensor");
        assertThat(sensor.type()).isEqualTo("process");
        assertThat(sensor.status()).isEqualTo(ModuleStatus.STOPPED);
        assertThat(sensor.restartPolicy()).isEqualTo(RestartPolicy.ON_FAILURE);
        assertThat(sensor.startupOrder()).isEqualTo(4294967295L);
        assertThat(sensor.env()).containsExactly(Map.entry("SAMPLE_RATE", "5"));
        assertThat(sensor.settings().image()).isNull();
        assertThat(sensor.settings().asPlainValues()).containsExactly(
                Map.entry("command", List.of("python3", "sensor.py")), Map.entry("workingDir", "/opt/sensor"));

        ModuleDefinition scaler = m.modules().get("scaler");
        assertThat(scaler.type()).isEqualTo("bundle");
        assertThat(scaler.settings().other()).containsEntry("location", "mvn:com.example/scaler/1.0")
                .containsEntry("startLevel", 20).containsEntry("autoStart", true).containsEntry("options", null);
    }

    @Test
    void appliesTheReferenceDefaults() throws Exception {
        EdgeAgentManifest m = parser.parse("""
                {"schemaVersion": "1.0", "systemModules": {},
                 "modules": {"m": {"type": "docker", "status": "running", "settings": {"image": "m"}}}}
                """);
        ModuleDefinition d = m.modules().get("m");
        assertThat(d.restartPolicy()).isEqualTo(RestartPolicy.ON_UNHEALTHY);
        assertThat(d.imagePullPolicy()).isEqualTo(ImagePullPolicy.ON_CREATE);
        assertThat(d.startupOrder()).isEqualTo(4294967295L);
        assertThat(d.version()).isEmpty();
        assertThat(d.env()).isEmpty();
        assertThat(d.settings().image()).isEqualTo("m:latest");
        assertThat(d.settings().createOptions()).isEqualTo("{}");
        assertThat(d.settings().asPlainValues()).containsExactly(Map.entry("image", "m:latest"));
        assertThat(m.runtime()).isEqualTo(RuntimeConfig.NONE);
        assertThat(m.systemModules().edgeAgent()).isEmpty();
        assertThat(m.desiredVersion()).isNull();
    }

    @Test
    void parsesAJacksonTreeLikeItsText() throws Exception {
        assertThat(parser.parse(new ObjectMapper().readTree(MANIFEST))).isEqualTo(parser.parse(MANIFEST));
    }

    @Test
    void joinsCreateOptionsChunksInOrderWhateverTheKeyOrder() throws Exception {
        String options = "{\"Env\":[\"A=1\"],\"HostConfig\":{\"Binds\":[\"/data:/data\"],\"Privileged\":false}}";
        ObjectNode settings = new ObjectMapper().createObjectNode().put("image", "x");
        // three chunks, written in reverse to show the order comes from the key, not the JSON
        settings.put("createOptions02", options.substring(40));
        settings.put("createOptions01", options.substring(20, 40));
        settings.put("createOptions", options.substring(0, 20));
        EdgeAgentManifest m = parser.parse(withModule("{\"type\":\"docker\",\"status\":\"running\",\"settings\":"
                + settings + "}"));
        assertThat(m.modules().get("m").settings().createOptions()).isEqualTo(options);
    }

    @Test
    void acceptsUpToOneHundredChunksOfAtMost512Characters() throws Exception {
        ObjectNode settings = new ObjectMapper().createObjectNode().put("image", "x");
        String padding = " ".repeat(512);
        settings.put("createOptions", "{\"a\":1}" + padding.substring(7));
        for (int i = 1; i < 100; i++) settings.put(String.format("createOptions%02d", i), padding);
        EdgeAgentManifest m = parser.parse(withModule("{\"type\":\"docker\",\"status\":\"running\",\"settings\":"
                + settings + "}"));
        assertThat(m.modules().get("m").settings().createOptions()).isEqualTo("{\"a\":1}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"\"", "\"null\"", "\"  \""})
    void emptyCreateOptionsMeanNone(String value) throws Exception {
        EdgeAgentManifest m = parser.parse(withModule("{\"type\":\"docker\",\"status\":\"running\",\"settings\":"
                + "{\"image\":\"x\",\"createOptions\":" + value + "}}"));
        assertThat(m.modules().get("m").settings().createOptions()).isEqualTo("{}");
    }

    @Test
    void createOptionsWrittenAsAnObjectIsTakenAsIs() throws Exception {
        EdgeAgentManifest m = parser.parse(withModule("{\"type\":\"docker\",\"status\":\"running\",\"settings\":"
                + "{\"image\":\"x\",\"createOptions\":{\"User\": \"1000\"}}}"));
        assertThat(m.modules().get("m").settings().createOptions()).isEqualTo("{\"User\":\"1000\"}");
    }

    @Test
    void statusAndPolicyAreReadInAnyCase() throws Exception {
        EdgeAgentManifest m = parser.parse(withModule(
                "{\"type\":\"Process\",\"status\":\"Running\",\"restartPolicy\":\"ON-FAILURE\"}"));
        ModuleDefinition d = m.modules().get("m");
        assertThat(d.type()).isEqualTo("process");
        assertThat(d.status()).isEqualTo(ModuleStatus.RUNNING);
        assertThat(d.restartPolicy()).isEqualTo(RestartPolicy.ON_FAILURE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ubuntu", "ubuntu:22.04", "library/ubuntu", "localhost:5000/team/app:1.0",
            "$upstream:443/azureiotedge-hub:1.5", "registry.io/app@sha256:0123abcd"})
    void acceptsImageReferences(String image) throws Exception {
        EdgeAgentManifest m = parser.parse(withModule("{\"type\":\"docker\",\"status\":\"running\",\"settings\":"
                + "{\"image\":\"" + image + "\"}}"));
        assertThat(m.modules().get("m").settings().image()).startsWith(image);
    }

    // --- refusals

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "{}", "{\"$version\": 3, \"$metadata\": {}}", "null"})
    void emptyDeploymentIs417(String json) {
        assertRefused(json, DeploymentStatusCode.CONFIG_EMPTY_ERROR, "empty configuration for the edge agent");
    }

    @Test
    void absentDeploymentIs417() {
        assertThatThrownBy(() -> parser.parse((String) null)).isInstanceOfSatisfying(InvalidManifestException.class,
                e -> {
                    assertThat(e.deploymentStatus().code().code()).isEqualTo(417);
                    assertThat(e.status()).isEqualTo(417);
                });
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"systemModules\":{}}|schemaVersion is missing",
            "{\"schemaVersion\":\"2.0\",\"systemModules\":{}}|schemaVersion 2.0 is not supported (supported: 1.0, 1.1)",
            "{\"schemaVersion\":\"1.2\",\"systemModules\":{}}|schemaVersion 1.2 is not supported",
            "{\"schemaVersion\":\"1.1.1\",\"systemModules\":{}}|schemaVersion 1.1.1 is not supported",
            "{\"schemaVersion\":\"one\",\"systemModules\":{}}|schemaVersion 'one' is not a version",
            "{\"schemaVersion\":\"1\",\"systemModules\":{}}|schemaVersion '1' is not a version",
            "{\"schemaVersion\":{},\"systemModules\":{}}|schemaVersion must be a string"})
    void unsupportedSchemaVersionIs412(String json, String description) {
        assertRefused(json, DeploymentStatusCode.INVALID_SCHEMA_VERSION, description);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.0", "1.1", "1.1.0", "1.0.3.4"})
    void supportedSchemaVersions(String version) throws Exception {
        assertThat(parser.parse("{\"schemaVersion\":\"" + version + "\",\"systemModules\":{}}").schemaVersion())
                .isEqualTo(version);
    }

    @Test
    void malformedJsonIs400WithWhereItBroke() {
        assertRefused("{\"schemaVersion\": \"1.1\", \"modules\": {\"m\": }}", DeploymentStatusCode.CONFIG_FORMAT_ERROR,
                "Agent configuration format is invalid: the desired properties are not valid JSON (at line 1, column");
        assertRefused("[1]", DeploymentStatusCode.CONFIG_FORMAT_ERROR, "must be a JSON object, got array");
        assertRefused("{\"schemaVersion\":\"1.1\",\"schemaVersion\":\"1.1\"}", DeploymentStatusCode.CONFIG_FORMAT_ERROR,
                "not valid JSON");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            // module fields
            "{\"status\":\"running\",\"settings\":{\"image\":\"x\"}}|module 'm': type is missing",
            "{\"type\":\"kubernetes\",\"status\":\"running\"}|module 'm': type 'kubernetes' is not supported (one of docker, process, bundle)",
            "{\"type\":\"process\"}|module 'm': status is missing (running or stopped)",
            "{\"type\":\"process\",\"status\":\"backoff\"}|module 'm': status 'backoff' is not one of running, stopped",
            "{\"type\":\"process\",\"status\":\"running\",\"restartPolicy\":\"sometimes\"}|module 'm': restartPolicy 'sometimes' is not one of never, on-failure, on-unhealthy, always",
            "{\"type\":\"process\",\"status\":\"running\",\"imagePullPolicy\":\"always\"}|module 'm': imagePullPolicy 'always' is not one of on-create, never",
            "{\"type\":\"process\",\"status\":\"running\",\"startupOrder\":-1}|module 'm': startupOrder must be an integer from 0 to 4294967295 (lower starts first), got -1",
            "{\"type\":\"process\",\"status\":\"running\",\"startupOrder\":4294967296}|module 'm': startupOrder must be an integer",
            "{\"type\":\"process\",\"status\":\"running\",\"startupOrder\":1.5}|module 'm': startupOrder must be an integer",
            "{\"type\":\"process\",\"status\":\"running\",\"startupOrder\":\"1\"}|module 'm': startupOrder must be an integer",
            "{\"type\":\"process\",\"status\":\"running\",\"env\":{\"A\":\"1\"}}|module 'm': env.A must be an object {\"value\": …}, got string",
            "{\"type\":\"process\",\"status\":\"running\",\"env\":{\"A\":{}}}|module 'm': env.A.value is missing",
            "{\"type\":\"process\",\"status\":\"running\",\"env\":{\"A=B\":{\"value\":\"1\"}}}|module 'm': env name 'A=B' is not allowed",
            "{\"type\":\"process\",\"status\":\"running\",\"settings\":[]}|module 'm': settings must be an object, got array",
            "{\"type\":\"process\",\"status\":[\"running\"]}|module 'm': status must be a string, got array",
            "\"running\"|module 'm': must be an object, got string",
            // docker specifics
            "{\"type\":\"docker\",\"status\":\"running\"}|module 'm': settings is missing (a docker module needs settings.image)",
            "{\"type\":\"docker\",\"status\":\"running\",\"settings\":{}}|module 'm': settings.image is missing",
            "{\"type\":\"docker\",\"status\":\"running\",\"settings\":{\"image\":\"my image\"}}|module 'm': settings.image 'my image' is not an image reference",
            "{\"type\":\"docker\",\"status\":\"running\",\"settings\":{\"image\":\"repo//app\"}}|module 'm': settings.image 'repo//app' is not an image reference",
            "{\"type\":\"docker\",\"status\":\"running\",\"settings\":{\"image\":\"app:1:2\"}}|module 'm': settings.image 'app:1:2' is not an image reference",
            "{\"type\":\"docker\",\"status\":\"running\",\"settings\":{\"image\":\"app/\"}}|module 'm': settings.image 'app/' is not an image reference",
            // createOptions
            "{\"type\":\"process\",\"status\":\"running\",\"settings\":{\"createOptions\":\"{nope\"}}|module 'm': settings.createOptions is not valid JSON (at line 1, column",
            "{\"type\":\"process\",\"status\":\"running\",\"settings\":{\"createOptions\":\"[1,2]\"}}|module 'm': settings.createOptions must hold a JSON object, got array",
            "{\"type\":\"process\",\"status\":\"running\",\"settings\":{\"createOptions\":42}}|module 'm': settings.createOptions must be a string holding JSON, got number",
            "{\"type\":\"process\",\"status\":\"running\",\"settings\":{\"createOptions\":\"{\",\"createOptions02\":\"}\"}}|module 'm': settings.createOptions02 is out of order: settings.createOptions01 is missing",
            "{\"type\":\"process\",\"status\":\"running\",\"settings\":{\"createOptions01\":\"{}\"}}|module 'm': settings.createOptions01 is out of order: settings.createOptions is missing",
            "{\"type\":\"process\",\"status\":\"running\",\"settings\":{\"createOptions\":\"{\",\"createOptions1\":\"}\"}}|module 'm': settings.createOptions1 is not a createOptions chunk",
            "{\"type\":\"process\",\"status\":\"running\",\"settings\":{\"createOptions\":\"{\",\"createOptions100\":\"}\"}}|module 'm': settings.createOptions100 is not a createOptions chunk (chunks are createOptions, createOptions01 … createOptions99)"})
    void invalidModuleIs400NamingModuleAndField(String module, String description) {
        assertRefused(withModule(module), DeploymentStatusCode.CONFIG_FORMAT_ERROR,
                "Agent configuration format is invalid: " + description);
    }

    @Test
    void oversizedChunkIs400() {
        String chunk = "{\"a\":\"" + "x".repeat(510) + "\"}";
        assertRefused(withModule("{\"type\":\"process\",\"status\":\"running\",\"settings\":{\"createOptions\":\""
                + chunk.replace("\"", "\\\"") + "\"}}"), DeploymentStatusCode.CONFIG_FORMAT_ERROR,
                "module 'm': settings.createOptions has 518 characters; a chunk holds at most 512");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "edgeHub|module name 'edgeHub' is reserved: configure it under systemModules",
            "EdgeAgent|module name 'EdgeAgent' is reserved",
            "$custom|module name '$custom' is not allowed",
            "my module|module name 'my module' is not allowed",
            "-lead|module name '-lead' is not allowed",
            "a/b|module name 'a/b' is not allowed"})
    void disallowedModuleNamesAre400(String name, String description) {
        assertRefused("{\"schemaVersion\":\"1.1\",\"systemModules\":{},\"modules\":{\"" + name
                + "\":{\"type\":\"process\",\"status\":\"running\"}}}", DeploymentStatusCode.CONFIG_FORMAT_ERROR, description);
    }

    @Test
    void tooLongModuleNameIs400() {
        String name = "m".repeat(65);
        assertRefused("{\"schemaVersion\":\"1.1\",\"systemModules\":{},\"modules\":{\"" + name
                + "\":{\"type\":\"process\",\"status\":\"running\"}}}", DeploymentStatusCode.CONFIG_FORMAT_ERROR,
                "has 65 characters; at most 64 are allowed");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"schemaVersion\":\"1.1\"}|systemModules is missing",
            "{\"schemaVersion\":\"1.1\",\"systemModules\":[]}|systemModules must be an object, got array",
            "{\"schemaVersion\":\"1.1\",\"systemModules\":{},\"modules\":[]}|modules must be an object of module name to module, got array",
            "{\"schemaVersion\":\"1.1\",\"systemModules\":{\"edgeHub\":{\"type\":\"docker\",\"settings\":{\"image\":\"hub\"}}}}|module 'edgeHub': status is missing",
            "{\"schemaVersion\":\"1.1\",\"systemModules\":{},\"runtime\":{\"settings\":{}}}|runtime.type is missing",
            "{\"schemaVersion\":\"1.1\",\"systemModules\":{},\"runtime\":{\"type\":\"docker\",\"settings\":{\"registryCredentials\":{\"acr\":{\"username\":\"u\",\"address\":\"a\"}}}}}|runtime.settings.registryCredentials.acr.password is missing",
            "{\"schemaVersion\":\"1.1\",\"systemModules\":{},\"runtime\":{\"type\":\"docker\",\"settings\":{\"registryCredentials\":{\"acr\":{\"password\":\"p\",\"address\":\"a\"}}}}}|runtime.settings.registryCredentials.acr.username is missing",
            "{\"schemaVersion\":\"1.1\",\"systemModules\":{},\"runtime\":{\"type\":\"docker\",\"settings\":{\"registryCredentials\":{\"acr\":{\"username\":\"u\",\"password\":\"p\"}}}}}|runtime.settings.registryCredentials.acr.address is missing"})
    void invalidSectionsAre400(String json, String description) {
        assertRefused(json, DeploymentStatusCode.CONFIG_FORMAT_ERROR, "Agent configuration format is invalid: " + description);
    }

    // --- secrets

    @Test
    void secretsAreAbsentFromToStrings() throws Exception {
        EdgeAgentManifest m = parser.parse(MANIFEST);
        assertThat(m.toString()).doesNotContain("s3cr3t-pw").doesNotContain("topsecretkey").contains("plantacr.azurecr.io");
        assertThat(m.runtime().settings().registryCredentials().get("plantacr").toString())
                .isEqualTo("RegistryCredential[username=plantacr, password=***, address=plantacr.azurecr.io]");
        assertThat(m.modules().get("opcReader").toString()).contains("env=[POLL_MS, CONN]").doesNotContain("500");
    }

    @Test
    void aWronglyTypedPasswordIsNotQuoted() {
        assertRefused("{\"schemaVersion\":\"1.1\",\"systemModules\":{},\"runtime\":{\"type\":\"docker\",\"settings\":"
                + "{\"registryCredentials\":{\"acr\":{\"username\":\"u\",\"password\":[\"s3cr3t-pw\"],\"address\":\"a\"}}}}}",
                DeploymentStatusCode.CONFIG_FORMAT_ERROR, "runtime.settings.registryCredentials.acr.password must be a string");
        assertThatThrownBy(() -> parser.parse("{\"schemaVersion\":\"1.1\",\"systemModules\":{},\"runtime\":{\"type\":"
                + "\"docker\",\"settings\":{\"registryCredentials\":{\"acr\":{\"username\":\"u\",\"password\":[\"s3cr3t-pw\"],"
                + "\"address\":\"a\"}}}}}")).hasMessageNotContaining("s3cr3t-pw");
    }

    @Test
    void brokenJsonAroundAPasswordDoesNotQuoteIt() {
        assertThatThrownBy(() -> parser.parse("{\"runtime\":{\"settings\":{\"registryCredentials\":{\"a\":"
                + "{\"password\": s3cr3tpw}}}}}")).isInstanceOf(InvalidManifestException.class)
                .hasMessageNotContaining("s3cr3tpw");
        assertThatThrownBy(() -> parser.parse(withModule("{\"type\":\"process\",\"status\":\"running\",\"settings\":"
                + "{\"createOptions\":\"{\\\"Env\\\":[\\\"KEY=hunter2\\\"]\"}}")))
                .isInstanceOf(InvalidManifestException.class).hasMessageNotContaining("hunter2");
    }

    private static String withModule(String module) {
        return "{\"schemaVersion\":\"1.1\",\"systemModules\":{},\"modules\":{\"m\":" + module + "}}";
    }

    private void assertRefused(String json, DeploymentStatusCode code, String description) {
        assertThatThrownBy(() -> parser.parse(json)).isInstanceOfSatisfying(InvalidManifestException.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.status()).isEqualTo(code.code());
            assertThat(e.deploymentStatus().description()).contains(description);
        });
    }
}
