package io.gatehouse.agent.internal.manifest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads and validates the {@code $edgeAgent} desired properties (schema 1.0 and 1.1) into an
 * {@link EdgeAgentManifest}. Refusals carry the reference's status codes: 417 for an empty
 * configuration, 412 for an unsupported schemaVersion, 400 for everything else, each naming the
 * module and field. Nothing a refusal says quotes a password, an env value or createOptions.
 */
public final class EdgeAgentManifestParser {

    /** The module types Gatehouse has runtimes for; the reference knows only docker. */
    public static final Set<String> MODULE_TYPES = Set.of("docker", "process", "bundle");
    static final String DOCKER = "docker";

    private final ObjectMapper json;

    public EdgeAgentManifestParser() {
        this.json = new ObjectMapper()
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    public EdgeAgentManifest parse(String desiredPropertiesJson) throws InvalidManifestException {
        if (desiredPropertiesJson == null || desiredPropertiesJson.isBlank()) throw InvalidManifestException.empty();
        JsonNode root;
        try {
            root = json.readTree(desiredPropertiesJson);
        } catch (JsonProcessingException e) {
            throw InvalidManifestException.format("the desired properties are not valid JSON" + Kinds.where(e));
        }
        return parse(root);
    }

    public EdgeAgentManifest parse(JsonNode root) throws InvalidManifestException {
        if (root == null || root.isNull() || root.isMissingNode()) throw InvalidManifestException.empty();
        if (!root.isObject()) {
            throw InvalidManifestException.format("the desired properties must be a JSON object, got " + Kinds.of(root));
        }
        // A twin's desired properties also carry $version and $metadata; only the rest is the deployment.
        boolean empty = true;
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            if (!e.getKey().startsWith("$")) empty = false;
        }
        if (empty) throw InvalidManifestException.empty();

        String schemaVersion = schemaVersion(root.get("schemaVersion"));
        Long desiredVersion = desiredVersion(root.get("$version"));
        RuntimeConfig runtime = runtime(root.get("runtime"));
        SystemModules systemModules = systemModules(root.get("systemModules"));
        Map<String, ModuleDefinition> modules = modules(root.get("modules"));
        // integrity (signed deployments) is accepted and not verified yet.
        return new EdgeAgentManifest(schemaVersion, desiredVersion, runtime, systemModules, modules);
    }

    // --- schemaVersion: a .NET Version (2 to 4 numeric parts), major 1, at most 1.1.0

    private static String schemaVersion(JsonNode node) throws InvalidManifestException {
        if (node == null || node.isNull()) {
            throw InvalidManifestException.schemaVersion("schemaVersion is missing (expected \"1.0\" or \"1.1\")");
        }
        if (!node.isTextual() && !node.isNumber()) {
            throw InvalidManifestException.schemaVersion("schemaVersion must be a string such as \"1.1\", got "
                    + Kinds.of(node));
        }
        String text = node.asText().strip();
        String[] parts = text.split("\\.", -1);
        boolean parses = parts.length >= 2 && parts.length <= 4;
        for (String p : parts) {
            parses &= !p.isEmpty() && p.length() <= 9 && p.chars().allMatch(c -> c >= '0' && c <= '9');
        }
        if (!parses) {
            throw InvalidManifestException.schemaVersion("schemaVersion '" + text
                    + "' is not a version (expected \"1.0\" or \"1.1\")");
        }
        long[] v = new long[4];
        for (int i = 0; i < parts.length; i++) v[i] = Long.parseLong(parts[i]);
        boolean supported = v[0] == 1 && (v[1] == 0 || (v[1] == 1 && v[2] == 0 && v[3] == 0));
        if (!supported) {
            throw InvalidManifestException.schemaVersion("schemaVersion " + text
                    + " is not supported (supported: 1.0, 1.1)");
        }
        return text;
    }

    private static Long desiredVersion(JsonNode node) {
        return node != null && node.isIntegralNumber() && node.canConvertToLong() ? node.longValue() : null;
    }

    // --- runtime

    private static RuntimeConfig runtime(JsonNode node) throws InvalidManifestException {
        // Optional on purpose: process and bundle modules need no container runtime.
        if (node == null || node.isNull()) return RuntimeConfig.NONE;
        if (!node.isObject()) throw InvalidManifestException.format("runtime must be an object, got " + Kinds.of(node));
        String type = text(node, "type", "runtime.type", null);
        if (type == null || type.isBlank()) throw InvalidManifestException.format("runtime.type is missing");
        JsonNode settings = node.get("settings");
        if (settings == null || settings.isNull()) return new RuntimeConfig(type, RuntimeSettings.EMPTY);
        if (!settings.isObject()) {
            throw InvalidManifestException.format("runtime.settings must be an object, got " + Kinds.of(settings));
        }
        Map<String, RegistryCredential> credentials = new LinkedHashMap<>();
        JsonNode creds = settings.get("registryCredentials");
        if (creds != null && !creds.isNull()) {
            if (!creds.isObject()) {
                throw InvalidManifestException.format("runtime.settings.registryCredentials must be an object of"
                        + " name to {username, password, address}, got " + Kinds.of(creds));
            }
            for (Map.Entry<String, JsonNode> e : creds.properties()) {
                credentials.put(e.getKey(), credential(e.getKey(), e.getValue()));
            }
        }
        return new RuntimeConfig(type, new RuntimeSettings(
                text(settings, "minDockerVersion", "runtime.settings.minDockerVersion", ""),
                text(settings, "loggingOptions", "runtime.settings.loggingOptions", ""),
                credentials));
    }

    private static RegistryCredential credential(String name, JsonNode node) throws InvalidManifestException {
        String where = "runtime.settings.registryCredentials." + name;
        if (!node.isObject()) {
            throw InvalidManifestException.format(where + " must be an object {username, password, address}, got "
                    + Kinds.of(node));
        }
        String username = text(node, "username", where + ".username", null);
        String address = text(node, "address", where + ".address", null);
        JsonNode password = node.get("password");
        // Never quote the value: a wrongly typed password is still a password.
        if (password != null && !password.isNull() && !password.isTextual()) {
            throw InvalidManifestException.format(where + ".password must be a string");
        }
        if (username == null || username.isEmpty()) throw InvalidManifestException.format(where + ".username is missing");
        if (password == null || password.isNull()) throw InvalidManifestException.format(where + ".password is missing");
        if (address == null || address.isBlank()) throw InvalidManifestException.format(where + ".address is missing");
        return new RegistryCredential(username, password.textValue(), address.strip());
    }

    // --- systemModules

    private SystemModules systemModules(JsonNode node) throws InvalidManifestException {
        if (node == null || node.isNull()) {
            throw InvalidManifestException.format("systemModules is missing (it holds edgeAgent and edgeHub)");
        }
        if (!node.isObject()) {
            throw InvalidManifestException.format("systemModules must be an object, got " + Kinds.of(node));
        }
        Optional<ModuleDefinition> agent = Optional.empty();
        JsonNode agentNode = node.get(SystemModules.EDGE_AGENT);
        if (agentNode != null && !agentNode.isNull()) {
            // edgeAgent runs, always, and first; status and restartPolicy in the manifest are ignored.
            agent = Optional.of(module(SystemModules.EDGE_AGENT, agentNode, ModuleStatus.RUNNING, RestartPolicy.ALWAYS,
                    0L));
        }
        Optional<ModuleDefinition> hub = Optional.empty();
        JsonNode hubNode = node.get(SystemModules.EDGE_HUB);
        if (hubNode != null && !hubNode.isNull()) {
            hub = Optional.of(module(SystemModules.EDGE_HUB, hubNode, null, RestartPolicy.ALWAYS, null));
        }
        return new SystemModules(agent, hub);
    }

    // --- modules

    private Map<String, ModuleDefinition> modules(JsonNode node) throws InvalidManifestException {
        Map<String, ModuleDefinition> modules = new LinkedHashMap<>();
        if (node == null || node.isNull()) return modules;
        if (!node.isObject()) {
            throw InvalidManifestException.format("modules must be an object of module name to module, got "
                    + Kinds.of(node));
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            Optional<String> problem = ModuleNames.problem(e.getKey());
            if (problem.isPresent()) throw InvalidManifestException.format(problem.get());
            modules.put(e.getKey(), module(e.getKey(), e.getValue(), null, RestartPolicy.DEFAULT, null));
        }
        return modules;
    }

    /**
     * @param fixedStatus the status this module always has (edgeAgent), or null to read a required one
     * @param fixedStartupOrder the startup order it always has (edgeAgent), or null to read one
     */
    private ModuleDefinition module(String name, JsonNode node, ModuleStatus fixedStatus,
            RestartPolicy defaultPolicy, Long fixedStartupOrder) throws InvalidManifestException {
        if (!node.isObject()) throw InvalidManifestException.module(name, "must be an object, got " + Kinds.of(node));

        String typeText = moduleText(name, node, "type");
        if (typeText == null || typeText.isBlank()) {
            throw InvalidManifestException.module(name, "type is missing (one of docker, process, bundle)");
        }
        String type = typeText.strip().toLowerCase(Locale.ROOT);
        if (!MODULE_TYPES.contains(type)) {
            throw InvalidManifestException.module(name, "type '" + typeText + "' is not supported (one of docker,"
                    + " process, bundle)");
        }

        ModuleStatus status = fixedStatus;
        if (status == null) {
            String s = moduleText(name, node, "status");
            if (s == null) throw InvalidManifestException.module(name, "status is missing (running or stopped)");
            status = ModuleStatus.desired(s).orElseThrow(() -> InvalidManifestException.module(name,
                    "status '" + s + "' is not one of running, stopped"));
        }

        RestartPolicy restartPolicy = defaultPolicy;
        if (fixedStatus == null) {
            String p = moduleText(name, node, "restartPolicy");
            if (p != null) {
                restartPolicy = RestartPolicy.parse(p).orElseThrow(() -> InvalidManifestException.module(name,
                        "restartPolicy '" + p + "' is not one of never, on-failure, on-unhealthy, always"));
            }
        }

        ImagePullPolicy pullPolicy = ImagePullPolicy.DEFAULT;
        String pull = moduleText(name, node, "imagePullPolicy");
        if (pull != null) {
            pullPolicy = ImagePullPolicy.parse(pull).orElseThrow(() -> InvalidManifestException.module(name,
                    "imagePullPolicy '" + pull + "' is not one of on-create, never"));
        }

        long startupOrder = fixedStartupOrder != null ? fixedStartupOrder : startupOrder(name, node.get("startupOrder"));
        String version = moduleText(name, node, "version");
        Map<String, String> env = env(name, node.get("env"));
        ModuleSettings settings = settings(name, type, node.get("settings"));
        return new ModuleDefinition(name, type, version == null ? "" : version, status, restartPolicy, pullPolicy,
                startupOrder, env, settings);
    }

    private static long startupOrder(String module, JsonNode node) throws InvalidManifestException {
        if (node == null || node.isNull()) return ModuleDefinition.DEFAULT_STARTUP_ORDER;
        if (!node.isIntegralNumber() || !node.canConvertToLong() || node.longValue() < 0
                || node.longValue() > ModuleDefinition.DEFAULT_STARTUP_ORDER) {
            throw InvalidManifestException.module(module, "startupOrder must be an integer from 0 to "
                    + ModuleDefinition.DEFAULT_STARTUP_ORDER + " (lower starts first), got " + node);
        }
        return node.longValue();
    }

    private static Map<String, String> env(String module, JsonNode node) throws InvalidManifestException {
        Map<String, String> env = new LinkedHashMap<>();
        if (node == null || node.isNull()) return env;
        if (!node.isObject()) {
            throw InvalidManifestException.module(module, "env must be an object of NAME to {\"value\": …}, got "
                    + Kinds.of(node));
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String name = e.getKey();
            if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0) {
                throw InvalidManifestException.module(module, "env name '" + name + "' is not allowed (it must be"
                        + " non-empty and contain no '=')");
            }
            JsonNode entry = e.getValue();
            if (!entry.isObject()) {
                throw InvalidManifestException.module(module, "env." + name + " must be an object {\"value\": …}, got "
                        + Kinds.of(entry));
            }
            JsonNode value = entry.get("value");
            if (value == null || value.isNull()) {
                throw InvalidManifestException.module(module, "env." + name + ".value is missing");
            }
            // Values are never quoted: they may be secrets.
            if (!value.isValueNode()) {
                throw InvalidManifestException.module(module, "env." + name + ".value must be a string, got "
                        + Kinds.of(value));
            }
            env.put(name, value.asText());
        }
        return env;
    }

    private ModuleSettings settings(String module, String type, JsonNode node) throws InvalidManifestException {
        boolean docker = type.equals(DOCKER);
        if (node == null || node.isNull()) {
            if (docker) throw InvalidManifestException.module(module, "settings is missing (a docker module needs settings.image)");
            return new ModuleSettings(null, ModuleSettings.EMPTY_CREATE_OPTIONS, null, Map.of());
        }
        if (!node.isObject()) {
            throw InvalidManifestException.module(module, "settings must be an object, got " + Kinds.of(node));
        }
        String image = moduleText(module, node, "settings.image", node.get("image"));
        if (image != null || docker) {
            if (image == null || image.isBlank()) {
                throw InvalidManifestException.module(module, "settings.image is missing (a docker module needs an"
                        + " image such as registry.example.com/sensor:1.0)");
            }
            String raw = image;
            image = ImageReference.normalise(raw).orElseThrow(() -> InvalidManifestException.module(module,
                    "settings.image '" + raw + "' is not an image reference ([registry/][repository/]image[:tag])"));
        }
        String createOptions = CreateOptions.join(module, node, json);
        String digest = moduleText(module, node, "settings.digest", node.get("digest"));
        Map<String, Object> other = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String key = e.getKey();
            if (key.equals("image") || key.equals("digest") || CreateOptions.isChunkKey(key)) continue;
            other.put(key, PlainValues.of(e.getValue()));
        }
        return new ModuleSettings(image, createOptions, digest, other);
    }

    // --- scalars

    private static String moduleText(String module, JsonNode parent, String field) throws InvalidManifestException {
        return moduleText(module, parent, field, parent.get(field));
    }

    private static String moduleText(String module, JsonNode parent, String field, JsonNode node)
            throws InvalidManifestException {
        if (node == null || node.isNull()) return null;
        if (!node.isValueNode()) {
            throw InvalidManifestException.module(module, field + " must be a string, got " + Kinds.of(node));
        }
        return node.asText();
    }

    private static String text(JsonNode parent, String field, String where, String absent)
            throws InvalidManifestException {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) return absent;
        if (!node.isValueNode()) throw InvalidManifestException.format(where + " must be a string, got " + Kinds.of(node));
        return node.asText();
    }
}
