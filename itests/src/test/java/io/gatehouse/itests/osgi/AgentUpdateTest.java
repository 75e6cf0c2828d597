package io.gatehouse.itests.osgi;

import static org.junit.Assert.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.api.agent.EdgeAgentOperations;
import io.gatehouse.api.deployment.EdgeAgentConfigurator;
import io.gatehouse.api.module.ModuleRuntime;
import io.gatehouse.api.module.ModuleState;
import io.gatehouse.api.module.RuntimeStatus;
import java.io.IOException;
import java.util.Optional;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * Invariant 6 for the agent: updating its bundle leaves the modules it runs alone (the same
 * process keeps running), and the new agent takes over the stored deployment and reports them.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class AgentUpdateTest extends GatehouseTestSupport {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MANIFEST = "{\"schemaVersion\":\"1.1\",\"systemModules\":{},\"modules\":{\"steady\":"
            + "{\"type\":\"process\",\"status\":\"running\",\"restartPolicy\":\"always\",\"version\":\"1.0\","
            + "\"settings\":{\"command\":[\"sh\",\"-c\",\"exec sleep 600\"]}}}}";

    @Test
    public void updatingTheAgentKeepsItsModulesRunning() throws Exception {
        service(EdgeAgentConfigurator.class).apply(MANIFEST);
        awaitNoProblem(SETTLE_MILLIS, () -> running().isPresent() ? null : "module steady is not running");
        ModuleState before = running().orElseThrow();

        Bundle agent = bundle("io.gatehouse.agent");
        agent.update();
        assertEquals(Bundle.ACTIVE, agent.getState());

        awaitNoProblem(SETTLE_MILLIS, () -> {
            JsonNode steady = reported().path("steady");
            return steady.path("runtimeStatus").asText().equals("running") ? null
                    : "the updated agent reports " + steady;
        });
        ModuleState after = running().orElseThrow(() -> new AssertionError("steady stopped during the agent update"));
        assertEquals("the same process, never restarted", before.lastStartTime(), after.lastStartTime());
        assertEquals(MANIFEST, service(EdgeAgentConfigurator.class).current());
    }

    private Optional<ModuleState> running() {
        try {
            for (ServiceReference<ModuleRuntime> ref : context.getServiceReferences(ModuleRuntime.class,
                    "(" + ModuleRuntime.TYPE_PROPERTY + "=process)")) {
                Optional<ModuleState> s = context.getService(ref).module("steady");
                if (s.isPresent() && s.get().status() == RuntimeStatus.RUNNING) return s;
            }
        } catch (InvalidSyntaxException e) {
            throw new AssertionError(e);
        }
        return Optional.empty();
    }

    private JsonNode reported() {
        try {
            return JSON.readTree(service(EdgeAgentOperations.class).reportedProperties()).path("modules");
        } catch (IOException e) {
            throw new AssertionError("the agent reported invalid JSON", e);
        }
    }
}
