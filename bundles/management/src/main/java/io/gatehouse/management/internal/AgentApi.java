package io.gatehouse.management.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.api.agent.EdgeAgentOperations;
import io.gatehouse.api.module.ModuleRuntimeException;
import io.gatehouse.api.module.NoSuchModuleException;
import java.util.List;
import java.util.Set;

/**
 * {@code /api/agent}: the agent's reported properties ({@code GET /api/agent}), a module's logs
 * ({@code GET /api/agent/modules/{name}/logs?tail=N}) and a restart
 * ({@code POST /api/agent/modules/{name}/restart}), as the reference's GetModuleLogs and
 * RestartModule direct methods.
 */
final class AgentApi {
    static final int DEFAULT_TAIL = 100;
    static final int MAX_TAIL = 10_000;

    private AgentApi() {
    }

    static ApiResponse reported(EdgeAgentOperations agent, ObjectMapper mapper) {
        if (agent == null) return unavailable();
        try {
            return ApiResponse.ok(mapper.readTree(agent.reportedProperties()));
        } catch (JsonProcessingException e) {
            return ApiResponse.error(500, "the agent reported invalid JSON: " + e.getOriginalMessage());
        }
    }

    /** @param path what follows {@code /api/agent}, e.g. {@code /modules/sensor/logs} */
    static ApiResponse get(EdgeAgentOperations agent, String path, String query, ObjectMapper mapper) {
        if (path == null || path.isEmpty() || path.equals("/")) return reported(agent, mapper);
        try {
            String module = module(path, "logs");
            int tail = tail(QueryParameters.parse(query, Set.of("tail")).get("tail"));
            if (agent == null) return unavailable();
            List<String> lines = agent.logs(module, tail);
            ObjectNode body = mapper.createObjectNode();
            body.put("module", module);
            body.set("lines", mapper.valueToTree(lines));
            return ApiResponse.ok(body);
        } catch (ApiException e) {
            return ApiResponse.error(e.status(), e.reason());
        } catch (NoSuchModuleException e) {
            return ApiResponse.error(404, e.getMessage());
        } catch (ModuleRuntimeException e) {
            return ApiResponse.error(502, e.getMessage());
        }
    }

    static ApiResponse post(EdgeAgentOperations agent, String path, ObjectMapper mapper) {
        try {
            String module = module(path, "restart");
            if (agent == null) return unavailable();
            agent.restart(module);
            ObjectNode body = mapper.createObjectNode();
            body.put("module", module);
            body.put("status", "restarted");
            return ApiResponse.ok(body);
        } catch (ApiException e) {
            return ApiResponse.error(e.status(), e.reason());
        } catch (NoSuchModuleException e) {
            return ApiResponse.error(404, e.getMessage());
        } catch (ModuleRuntimeException e) {
            return ApiResponse.error(502, "the module could not be restarted: " + e.getMessage());
        }
    }

    private static String module(String path, String action) throws ApiException {
        String[] parts = path.split("/", -1);
        if (parts.length != 4 || !parts[0].isEmpty() || !parts[1].equals("modules") || parts[2].isEmpty()
                || !parts[3].equals(action)) {
            throw new ApiException(404, "no such resource /api/agent" + path + "; this endpoint serves /api/agent/modules/{name}/" + action);
        }
        return parts[2];
    }

    private static int tail(String value) throws ApiException {
        if (value == null) return DEFAULT_TAIL;
        try {
            int tail = Integer.parseInt(value);
            if (tail >= 1 && tail <= MAX_TAIL) return tail;
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new ApiException(400, "tail must be a whole number from 1 to " + MAX_TAIL + ", not '" + value + "'");
    }

    private static ApiResponse unavailable() {
        return ApiResponse.unavailable("the agent", "io.gatehouse.agent");
    }
}
