package io.gatehouse.supervisor.docker.internal;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.api.module.ModuleRuntimeException;
import io.gatehouse.api.module.ModuleSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a docker module's spec asks for, checked before the engine is touched: a refused spec
 * changes nothing, and its message says what to fix in the deployment manifest. Messages never
 * quote {@code createOptions} or environment values, which may hold secrets.
 *
 * @param image the image, tag defaulted
 * @param createOptions Docker's container create parameters, an object (empty when none)
 * @param pullPolicy when the image is pulled
 * @param credentials the registry credentials offered, any order
 */
record DockerSettings(ImageReference image, ObjectNode createOptions, ImagePullPolicy pullPolicy,
        List<RegistryCredential> credentials) {

    static final String TYPE = "docker";
    static final String IMAGE = "image";
    static final String CREATE_OPTIONS = "createOptions";
    static final String DIGEST = "digest";
    static final String IMAGE_PULL_POLICY = "imagePullPolicy";
    static final String REGISTRY_CREDENTIALS = "registryCredentials";
    private static final Set<String> KNOWN = Set.of(IMAGE, CREATE_OPTIONS, DIGEST, IMAGE_PULL_POLICY,
            REGISTRY_CREDENTIALS);
    /** Docker's own rule for container names (the module's name is its container's name). */
    private static final Pattern CONTAINER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]+");
    private static final ObjectMapper JSON = new ObjectMapper();

    static DockerSettings of(ModuleSpec spec) throws ModuleRuntimeException {
        String module = "module '" + spec.name() + "'";
        if (!TYPE.equals(spec.type())) {
            throw new ModuleRuntimeException(module + " has type '" + spec.type() + "'; this runtime runs type '"
                    + TYPE + "' only");
        }
        checkName(spec.name());
        Map<String, Object> settings = spec.settings();
        for (String key : settings.keySet()) {
            if (!KNOWN.contains(key)) {
                throw new ModuleRuntimeException(module + ": unknown setting '" + key + "'; a docker module reads "
                        + String.join(", ", List.of(IMAGE, CREATE_OPTIONS, DIGEST, IMAGE_PULL_POLICY,
                                REGISTRY_CREDENTIALS)));
            }
        }
        checkEnvironment(module, spec.environment());
        return new DockerSettings(image(module, settings), createOptions(module, settings.get(CREATE_OPTIONS)),
                pullPolicy(module, settings.get(IMAGE_PULL_POLICY)),
                credentials(module, settings.get(REGISTRY_CREDENTIALS)));
    }

    /** The credential whose address names the image's registry, or null. */
    RegistryCredential credentialForImage() {
        for (RegistryCredential credential : credentials) {
            if (image.isServedBy(credential.address())) return credential;
        }
        return null;
    }

    static String checkName(String name) throws ModuleRuntimeException {
        if (name == null || !CONTAINER_NAME.matcher(name).matches() || name.length() > 128) {
            throw new ModuleRuntimeException("module name '" + name + "' cannot name a container: Docker takes 2 to"
                    + " 128 characters of letters, digits, '_', '.' and '-', starting with a letter or digit");
        }
        return name;
    }

    private static ImageReference image(String module, Map<String, Object> settings) throws ModuleRuntimeException {
        Object image = settings.get(IMAGE);
        Object digest = settings.get(DIGEST);
        if (image == null) {
            throw new ModuleRuntimeException(module + ": settings." + IMAGE + " is missing; a docker module needs"
                    + " the image to run, e.g. \"myregistry.azurecr.io/sensor:1.0\"");
        }
        if (!(image instanceof String text)) {
            throw new ModuleRuntimeException(module + ": settings." + IMAGE + " must be a string, not " + kind(image));
        }
        if (digest != null && !(digest instanceof String)) {
            throw new ModuleRuntimeException(module + ": settings." + DIGEST + " must be a string, not "
                    + kind(digest));
        }
        try {
            return ImageReference.parse(text, (String) digest);
        } catch (IllegalArgumentException e) {
            throw new ModuleRuntimeException(module + ": settings." + IMAGE + " '" + text + "' is not an image"
                    + " reference: " + e.getMessage());
        }
    }

    private static ObjectNode createOptions(String module, Object value) throws ModuleRuntimeException {
        String where = module + ": settings." + CREATE_OPTIONS;
        if (value == null) return JSON.createObjectNode();
        JsonNode node;
        if (value instanceof String text) {
            if (text.isBlank() || text.strip().equals("null")) return JSON.createObjectNode();
            try {
                node = JSON.readTree(text);
            } catch (JsonProcessingException e) {
                // Jackson's message quotes the offending token, which could be part of a secret
                JsonLocation at = e.getLocation();
                throw new ModuleRuntimeException(where + " is not valid JSON" + (at == null ? ""
                        : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
            }
        } else if (value instanceof Map<?, ?>) {
            node = JSON.valueToTree(value);
        } else {
            throw new ModuleRuntimeException(where + " must be a JSON string of Docker's container create"
                    + " parameters, not " + kind(value));
        }
        if (node == null || node.isNull() || node.isMissingNode()) return JSON.createObjectNode();
        if (!(node instanceof ObjectNode object)) {
            throw new ModuleRuntimeException(where + " must hold a JSON object such as {\"HostConfig\": {…}}, not "
                    + node.getNodeType().name().toLowerCase());
        }
        return object;
    }

    private static ImagePullPolicy pullPolicy(String module, Object value) throws ModuleRuntimeException {
        if (value == null) return ImagePullPolicy.ON_CREATE;
        String expected = "; it is one of on-create (the default), never";
        if (!(value instanceof String text)) {
            throw new ModuleRuntimeException(module + ": settings." + IMAGE_PULL_POLICY + " is " + kind(value)
                    + expected);
        }
        return ImagePullPolicy.parse(text).orElseThrow(() -> new ModuleRuntimeException(module + ": settings."
                + IMAGE_PULL_POLICY + " '" + text + "' is not known" + expected));
    }

    private static List<RegistryCredential> credentials(String module, Object value) throws ModuleRuntimeException {
        if (value == null) return List.of();
        String where = module + ": settings." + REGISTRY_CREDENTIALS;
        if (!(value instanceof Map<?, ?> map)) {
            throw new ModuleRuntimeException(where + " must be an object of name to {username, password, address}");
        }
        List<RegistryCredential> credentials = new ArrayList<>();
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            String name = String.valueOf(entry.getKey());
            if (!(entry.getValue() instanceof Map<?, ?> fields)) {
                throw new ModuleRuntimeException(where + "." + name + " must be an object {username, password,"
                        + " address}");
            }
            credentials.add(new RegistryCredential(name, field(where, name, fields, "username"),
                    field(where, name, fields, "password"), field(where, name, fields, "address")));
        }
        return List.copyOf(credentials);
    }

    /** Never quotes the value: it may be the password. */
    private static String field(String where, String name, Map<?, ?> fields, String key)
            throws ModuleRuntimeException {
        Object value = fields.get(key);
        if (!(value instanceof String text) || text.isEmpty()) {
            throw new ModuleRuntimeException(where + "." + name + "." + key + " must be a non-empty string");
        }
        return text;
    }

    private static void checkEnvironment(String module, Map<String, String> environment)
            throws ModuleRuntimeException {
        for (Map.Entry<String, String> e : environment.entrySet()) {
            String name = e.getKey();
            if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0) {
                throw new ModuleRuntimeException(module + ": environment variable name '" + name
                        + "' is not allowed (empty, or contains '=' or NUL)");
            }
            if (e.getValue().indexOf('\0') >= 0) {
                throw new ModuleRuntimeException(module + ": environment variable " + name
                        + " contains a NUL character");
            }
        }
    }

    private static String kind(Object value) {
        if (value instanceof List<?>) return "an array";
        if (value instanceof Map<?, ?>) return "an object";
        if (value instanceof Number) return "a number";
        if (value instanceof Boolean) return "a boolean";
        return "a " + value.getClass().getSimpleName();
    }
}
