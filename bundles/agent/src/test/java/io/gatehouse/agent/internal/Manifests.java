package io.gatehouse.agent.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** $edgeAgent desired properties with process modules, built the way an operator writes them. */
final class Manifests {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ObjectNode root = JSON.createObjectNode();
    private final ObjectNode modules;

    Manifests() {
        root.put("schemaVersion", "1.1");
        root.putObject("runtime").put("type", "docker").putObject("settings");
        ObjectNode system = root.putObject("systemModules");
        system.putObject("edgeAgent").put("type", "docker").putObject("settings").put("image", "gatehouse/agent:1");
        ObjectNode hub = system.putObject("edgeHub");
        hub.put("type", "docker").put("status", "running").put("restartPolicy", "always");
        hub.putObject("settings").put("image", "gatehouse/hub:1");
        modules = root.putObject("modules");
    }

    /** A process module running {@code sh -c script}. */
    Manifests shell(String name, String status, String restartPolicy, long startupOrder, String script) {
        ObjectNode m = modules.putObject(name);
        m.put("type", "process").put("status", status).put("restartPolicy", restartPolicy).put("version", "1.0");
        if (startupOrder >= 0) m.put("startupOrder", startupOrder);
        ArrayNode command = m.putObject("settings").putArray("command");
        command.add("sh").add("-c").add(script);
        return this;
    }

    Manifests env(String module, String name, String value) {
        ((ObjectNode) modules.get(module)).with("env").putObject(name).put("value", value);
        return this;
    }

    Manifests version(long version) {
        root.put("$version", version);
        return this;
    }

    String json() {
        return root.toString();
    }
}
