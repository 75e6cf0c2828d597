package io.gatehouse.management.internal;

import static io.gatehouse.management.internal.Bodies.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.api.identity.Identity;
import io.gatehouse.api.identity.IdentityId;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class ChildDeploymentTest {
    private static final String AGENT = "'$edgeAgent': {'properties.desired': {'schemaVersion': '1.1', 'modules': "
            + "{'filter': {'type': 'process'}}}}";
    private static final String HUB = "'$edgeHub': {'properties.desired': {'schemaVersion': '1.1', 'routes': "
            + "{'up': 'FROM /messages/* INTO $upstream'}}}";
    private static final String FILTER = "'filter': {'properties.desired': {'threshold': 42}}";
    private static final IdentityId CHILD_AGENT = IdentityId.module("child1", "$edgeAgent");
    private static final IdentityId CHILD_HUB = IdentityId.module("child1", "$edgeHub");
    private static final IdentityId CHILD_FILTER = IdentityId.module("child1", "filter");

    private final ObjectMapper mapper = JsonBodies.newMapper();
    private final InMemoryIdentityRegistry registry = new InMemoryIdentityRegistry();
    private final RecordingConfigurator hub = new RecordingConfigurator();
    private final RecordingAgentConfigurator agent = new RecordingAgentConfigurator();
    private final RecordingTwinStore twins = new RecordingTwinStore();
    private final ChildDeployment api = new ChildDeployment(registry, hub, agent, twins, mapper);

    {
        registry.add(new Identity(IdentityId.device("child1"), null, null, true, null));
        registry.add(IdentityId.device("press-7"), null, null);
    }

    private static byte[] manifest(String... parts) {
        return json("{'modulesContent': {" + String.join(", ", parts) + "}}");
    }

    @Test
    void eachPartBecomesTheDesiredPropertiesOfTheChildsTwinAndNothingIsAppliedHere() throws Exception {
        ApiResponse answer = api.deploy("child1", manifest(AGENT, HUB, FILTER), "test");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body().get("status").asInt()).isEqualTo(200);
        assertThat(answer.body().get("description").asText())
                .isEqualTo("deployment for child1 stored in its twins ($edgeAgent version 2)");
        assertThat(mapper.readTree(twins.get(CHILD_AGENT).desiredJson()))
                .isEqualTo(mapper.readTree("{\"schemaVersion\":\"1.1\",\"modules\":{\"filter\":{\"type\":\"process\"}}}"));
        assertThat(mapper.readTree(twins.get(CHILD_HUB).desiredJson()))
                .isEqualTo(mapper.readTree("{\"schemaVersion\":\"1.1\",\"routes\":{\"up\":\"FROM /messages/* INTO $upstream\"}}"));
        assertThat(twins.get(CHILD_FILTER).desiredJson()).isEqualTo("{\"threshold\":42}");
        // Module twins first, $edgeAgent last: when the child sees its new agent twin, the rest is there.
        assertThat(twins.twins.keySet()).containsExactly(CHILD_FILTER, CHILD_HUB, CHILD_AGENT);
        assertThat(hub.applied).isEmpty();
        assertThat(agent.applied).isEmpty();
        assertThat(hub.current()).isNull();
    }

    @Test
    void aSecondDeploymentReplacesTheDesiredPropertiesWholeAndAnswersTheNewAgentVersion() throws Exception {
        api.deploy("child1", manifest(AGENT, HUB, "'filter': {'properties.desired': {'threshold': 42, 'mode': 'fast'}}"),
                "test");

        ApiResponse again = api.deploy("child1", manifest(AGENT, HUB, FILTER), "test");

        assertThat(again.status()).isEqualTo(200);
        assertThat(again.body().get("description").asText()).endsWith("($edgeAgent version 3)");
        assertThat(twins.get(CHILD_FILTER).desiredJson()).isEqualTo("{\"threshold\":42}");
    }

    @Test
    void anUnknownChildIs404AndADeviceThatIsNotAnEdgeDeviceIs400AndNothingIsWritten() {
        ApiResponse unknown = api.deploy("child9", manifest(AGENT, HUB), "test");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.body().get("status").asInt()).isEqualTo(404);
        assertThat(unknown.body().get("description").asText()).contains("device child9 is not registered",
                "nothing was changed");

        ApiResponse notEdge = api.deploy("press-7", manifest(AGENT, HUB), "test");
        assertThat(notEdge.status()).isEqualTo(400);
        assertThat(notEdge.body().get("description").asText()).contains("press-7 is not an edge device");

        assertThat(twins.twins).isEmpty();
    }

    @Test
    void aChildsManifestNeedsBothTheAgentAndTheHub() {
        ApiResponse noAgent = api.deploy("child1", manifest(HUB, FILTER), "test");
        assertThat(noAgent.status()).isEqualTo(417);
        assertThat(noAgent.body().get("description").asText()).contains("needs both $edgeAgent and $edgeHub",
                "modulesContent.$edgeAgent is missing", "nothing was changed");
        ApiResponse noHub = api.deploy("child1", manifest(AGENT, FILTER), "test");
        assertThat(noHub.status()).isEqualTo(417);
        assertThat(noHub.body().get("description").asText()).contains("modulesContent.$edgeHub is missing");
        assertThat(api.deploy("child1", manifest("'$edgeAgent': {}", HUB), "test").status()).isEqualTo(417);
        assertThat(twins.twins).isEmpty();
    }

    @Test
    void aManifestRefusedAnywhereWritesNoTwinAndAnswersTheCodeALocalDeploymentWould() {
        assertRefused(412, "Invalid schema version",
                "'$edgeAgent': {'properties.desired': {'schemaVersion': '2.0', 'modules': {}}}", HUB, FILTER);
        assertRefused(417, "empty configuration", "'$edgeAgent': {'properties.desired': {}}", HUB, FILTER);
        assertRefused(400, "$edgeHub desired properties refused: schemaVersion \"2.0\" is not supported",
                AGENT, "'$edgeHub': {'properties.desired': {'schemaVersion': '2.0'}}", FILTER);
        assertRefused(400, "the desired properties of module filter are refused: property name 'a.b' has a dot",
                AGENT, HUB, "'filter': {'properties.desired': {'a.b': 1}}");
        // The agent takes it, the twin store would not: checked before the first write all the same.
        assertRefused(400, "the desired properties of child1/$edgeAgent are refused as a twin: property name 'x.y' has a dot",
                "'$edgeAgent': {'properties.desired': {'schemaVersion': '1.1', 'x.y': 1}}", HUB, FILTER);
        assertRefused(400, "modulesContent.$edgeHub.properties.desired must be a JSON object, not a string",
                AGENT, "'$edgeHub': {'properties.desired': 'x'}");
        assertRefused(400, "modulesContent.$edgeAgent.properties.desired must be a JSON object, not an array",
                "'$edgeAgent': {'properties.desired': []}", HUB);
        assertThat(api.deploy("child1", json("{'modulesContent': "), "test").status()).isEqualTo(400);
        assertThat(twins.twins).isEmpty();
        assertThat(hub.applied).isEmpty();
        assertThat(agent.applied).isEmpty();
    }

    private void assertRefused(int status, String reason, String... parts) {
        ApiResponse answer = api.deploy("child1", manifest(parts), "test");
        assertThat(answer.status()).as(reason).isEqualTo(status);
        assertThat(answer.body().get("description").asText()).as(reason).contains(reason, "nothing was changed");
    }

    @Test
    void withoutAnAgentHereTheAgentPartIsStoredUncheckedAndTheAnswerSaysSo() {
        ChildDeployment noAgent = new ChildDeployment(registry, hub, null, twins, mapper);

        ApiResponse answer = noAgent.deploy("child1", manifest(
                "'$edgeAgent': {'properties.desired': {'schemaVersion': '2.0'}}", HUB), "test");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body().get("description").asText()).contains("stored in its twins",
                "$edgeAgent part was not checked here");
        assertThat(twins.get(CHILD_AGENT).desiredJson()).isEqualTo("{\"schemaVersion\":\"2.0\"}");
    }

    @Test
    void withoutARegistryATwinStoreOrARouterItIs503AndNothingIsWritten() {
        ApiResponse noRegistry = new ChildDeployment(null, hub, agent, twins, mapper).deploy("child1", manifest(AGENT, HUB), "t");
        assertThat(noRegistry.status()).isEqualTo(503);
        assertThat(noRegistry.body().get("description").asText()).contains("io.gatehouse.auth");
        ApiResponse noTwins = new ChildDeployment(registry, hub, agent, null, mapper).deploy("child1", manifest(AGENT, HUB), "t");
        assertThat(noTwins.status()).isEqualTo(503);
        assertThat(noTwins.body().get("description").asText()).contains("io.gatehouse.twin");
        ApiResponse noHub = new ChildDeployment(registry, null, agent, twins, mapper).deploy("child1", manifest(AGENT, HUB), "t");
        assertThat(noHub.status()).isEqualTo(503);
        assertThat(noHub.body().get("description").asText()).contains("io.gatehouse.router");
        assertThat(twins.twins).isEmpty();
    }

    @Test
    void aTwinThatCannotBeStoredPutsBackTheTwinsAlreadyWritten() throws Exception {
        RecordingTwinStore failing = new RecordingTwinStore() {
            @Override
            public synchronized long replaceDesired(IdentityId id, String desiredJson)
                    throws io.gatehouse.api.twin.InvalidTwinException, IOException {
                if (id.equals(CHILD_AGENT)) throw new IOException("disk full");
                return super.replaceDesired(id, desiredJson);
            }
        };
        failing.replaceDesired(CHILD_FILTER, "{\"threshold\":7}");

        ApiResponse answer = new ChildDeployment(registry, hub, agent, failing, mapper)
                .deploy("child1", manifest(AGENT, HUB, FILTER), "test");

        assertThat(answer.status()).isEqualTo(507);
        assertThat(answer.body().get("description").asText()).contains("disk full",
                "the twins already written were put back");
        assertThat(failing.get(CHILD_FILTER).desiredJson()).isEqualTo("{\"threshold\":7}");
        assertThat(failing.get(CHILD_HUB).desiredJson()).isEqualTo("{}");
    }
}
