package io.gatehouse.management.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.api.agent.EdgeAgentOperations;
import io.gatehouse.api.module.ModuleRuntimeException;
import io.gatehouse.api.module.NoSuchModuleException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AgentApiTest {
    private final ObjectMapper mapper = JsonBodies.newMapper();
    private final List<String> restarted = new ArrayList<>();
    private final EdgeAgentOperations agent = new EdgeAgentOperations() {
        @Override
        public String reportedProperties() {
            return "{\"schemaVersion\":\"1.0\",\"modules\":{\"sensor\":{\"runtimeStatus\":\"running\"}}}";
        }

        @Override
        public List<String> logs(String module, int tail) throws ModuleRuntimeException {
            if (!module.equals("sensor")) throw new NoSuchModuleException(module);
            return List.of("line 1", "tail " + tail);
        }

        @Override
        public void restart(String module) throws ModuleRuntimeException {
            if (module.equals("stuck")) throw new ModuleRuntimeException("the process did not stop");
            if (!module.equals("sensor")) throw new NoSuchModuleException(module);
            restarted.add(module);
        }
    };

    @Test
    void servesTheReportedProperties() {
        ApiResponse answer = AgentApi.get(agent, null, null, mapper);
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body().path("modules").path("sensor").path("runtimeStatus").asText()).isEqualTo("running");
    }

    @Test
    void servesLogsWithATailAndRefusesBadTails() {
        ApiResponse answer = AgentApi.get(agent, "/modules/sensor/logs", "tail=7", mapper);
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body().path("lines").toString()).isEqualTo("[\"line 1\",\"tail 7\"]");
        assertThat(AgentApi.get(agent, "/modules/sensor/logs", null, mapper).body().path("lines").get(1).asText())
                .isEqualTo("tail " + AgentApi.DEFAULT_TAIL);
        assertThat(AgentApi.get(agent, "/modules/sensor/logs", "tail=0", mapper).status()).isEqualTo(400);
        assertThat(AgentApi.get(agent, "/modules/sensor/logs", "tail=x", mapper).status()).isEqualTo(400);
        assertThat(AgentApi.get(agent, "/modules/sensor/logs", "lines=3", mapper).status()).isEqualTo(400);
        assertThat(AgentApi.get(agent, "/modules/ghost/logs", null, mapper).status()).isEqualTo(404);
        assertThat(AgentApi.get(agent, "/modules/sensor/other", null, mapper).status()).isEqualTo(404);
    }

    @Test
    void restartsAModuleAndSaysWhyNot() {
        assertThat(AgentApi.post(agent, "/modules/sensor/restart", mapper).status()).isEqualTo(200);
        assertThat(restarted).containsExactly("sensor");
        assertThat(AgentApi.post(agent, "/modules/ghost/restart", mapper).status()).isEqualTo(404);
        ApiResponse stuck = AgentApi.post(agent, "/modules/stuck/restart", mapper);
        assertThat(stuck.status()).isEqualTo(502);
        assertThat(stuck.body().path("error").asText()).contains("did not stop");
        assertThat(AgentApi.post(agent, "/modules/sensor/logs", mapper).status()).isEqualTo(404);
    }

    @Test
    void withoutTheAgentEveryCallIs503() {
        assertThat(AgentApi.get(null, null, null, mapper).status()).isEqualTo(503);
        assertThat(AgentApi.get(null, "/modules/sensor/logs", null, mapper).status()).isEqualTo(503);
        assertThat(AgentApi.post(null, "/modules/sensor/restart", mapper).status()).isEqualTo(503);
    }
}
