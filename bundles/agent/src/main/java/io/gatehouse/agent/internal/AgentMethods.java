package io.gatehouse.agent.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.api.agent.EdgeAgentOperations;
import io.gatehouse.api.method.MethodInvocationException;
import io.gatehouse.api.method.MethodResult;
import io.gatehouse.api.module.ModuleRuntimeException;
import io.gatehouse.api.module.NoSuchModuleException;

/**
 * The agent's direct methods (reference §2.9): {@code ping}, {@code RestartModule {"id"}} and
 * {@code GetModuleLogs {"items": [{"id", "filter": {"tail"}}]}}. A module the agent does not know
 * or a runtime that fails is the method's own answer (status 404 / 500 with {@code {"message"}});
 * a call the agent cannot take (bad payload 400, unknown method 501) fails the call itself, as
 * these answers were before the agent was reached through {@link io.gatehouse.api.method.MethodInvoker}.
 */
final class AgentMethods {
    static final String MODULE_ID = "$edgeAgent";
    static final int BAD_REQUEST = 400;
    static final int NOT_IMPLEMENTED = 501;
    private static final int DEFAULT_TAIL = 100;

    private final EdgeAgentOperations agent;
    private final ObjectMapper json;

    AgentMethods(EdgeAgentOperations agent, ObjectMapper json) {
        this.agent = agent;
        this.json = json;
    }

    /** Runs the method now, on the caller's thread: a restart takes as long as the module needs to stop. */
    MethodResult answer(String methodName, String payloadJson) throws MethodInvocationException {
        JsonNode payload = read(payloadJson);
        try {
            return switch (methodName) {
                case "ping" -> new MethodResult(200, "null");
                case "RestartModule" -> restart(payload);
                case "GetModuleLogs" -> logs(payload);
                default -> throw new MethodInvocationException(NOT_IMPLEMENTED, MODULE_ID + " has no method '" + methodName
                        + "'; it answers ping, RestartModule, GetModuleLogs");
            };
        } catch (NoSuchModuleException e) {
            return withMessage(404, e.getMessage());
        } catch (ModuleRuntimeException e) {
            return withMessage(500, e.getMessage());
        }
    }

    private MethodResult restart(JsonNode payload) throws MethodInvocationException, ModuleRuntimeException {
        String module = payload.path("id").asText("");
        if (module.isEmpty()) throw new MethodInvocationException(BAD_REQUEST, "RestartModule needs {\"id\": \"<module>\"}");
        agent.restart(module);
        return new MethodResult(200, "null");
    }

    private MethodResult logs(JsonNode payload) throws MethodInvocationException, ModuleRuntimeException {
        ArrayNode items = json.createArrayNode();
        for (JsonNode item : payload.path("items")) {
            String module = item.path("id").asText("");
            int tail = item.path("filter").path("tail").asInt(DEFAULT_TAIL);
            ObjectNode entry = items.addObject();
            entry.put("id", module);
            entry.put("payload", String.join("\n", agent.logs(module, Math.max(1, tail))));
        }
        if (items.isEmpty()) {
            throw new MethodInvocationException(BAD_REQUEST, "GetModuleLogs needs {\"items\": [{\"id\": \"<module>\"}]}");
        }
        return new MethodResult(200, items.toString());
    }

    private JsonNode read(String payloadJson) throws MethodInvocationException {
        try {
            // an absent payload arrives as "null"; path() on it finds nothing, which the methods refuse
            return json.readTree(payloadJson);
        } catch (JsonProcessingException e) {
            // the original message names the problem without quoting the payload
            throw new MethodInvocationException(BAD_REQUEST, "could not read the payload: " + e.getOriginalMessage());
        }
    }

    private MethodResult withMessage(int status, String message) {
        return new MethodResult(status, json.createObjectNode().put("message", message).toString());
    }
}
