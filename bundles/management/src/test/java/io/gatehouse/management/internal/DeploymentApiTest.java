package io.gatehouse.management.internal;

import static io.gatehouse.management.internal.Bodies.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class DeploymentApiTest {
    private static final String HUB_DESIRED = "{'schemaVersion': '1.1', 'routes': {'up': "
            + "{'route': 'FROM /messages/* INTO $upstream', 'priority': 0, 'timeToLiveSecs': 86400}}, "
            + "'storeAndForwardConfiguration': {'timeToLiveSecs': 7200}}";
    private final ObjectMapper mapper = JsonBodies.newMapper();
    private final RecordingConfigurator configurator = new RecordingConfigurator();
    private final RecordingAgentConfigurator agent = new RecordingAgentConfigurator();
    private final RecordingTwinStore twins = new RecordingTwinStore();
    private final DeploymentApi api = new DeploymentApi(configurator, agent, new ModuleTwins(twins, "gw1"), mapper);

    @Test
    void appliesTheEdgeHubDesiredPropertiesAndNothingElse() throws Exception {
        ApiResponse answer = api.deploy(json("{'modulesContent': {'$edgeHub': {'properties.desired': "
                + HUB_DESIRED + "}}}"), "test");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body().get("status").asInt()).isEqualTo(200);
        assertThat(answer.body().get("description").asText()).isEqualTo("$edgeHub desired properties applied; "
                + "no $edgeAgent in the manifest: the modules in force are unchanged");
        assertThat(configurator.applied).hasSize(1);
        assertThat(mapper.readTree(configurator.applied.get(0))).isEqualTo(mapper.readTree(json(HUB_DESIRED)));
    }

    @Test
    void bothPartsAndTheModuleTwinsAreApplied() throws Exception {
        ApiResponse answer = api.deploy(json("{'modulesContent': {"
                + "'$edgeAgent': {'properties.desired': {'schemaVersion': '1.1', 'modules': {}}},"
                + "'$edgeHub': {'properties.desired': " + HUB_DESIRED + "},"
                + "'anomalyFilter': {'properties.desired': {'threshold': 42}}}}"), "test");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body().get("description").asText())
                .contains("$edgeAgent deployment accepted", "module twins applied: anomalyFilter");
        assertThat(configurator.applied).hasSize(1);
        assertThat(agent.applied).hasSize(1);
        assertThat(mapper.readTree(agent.applied.get(0)).path("schemaVersion").asText()).isEqualTo("1.1");
        assertThat(twins.get(io.gatehouse.api.identity.IdentityId.module("gw1", "anomalyFilter")).desiredJson())
                .isEqualTo("{\"threshold\":42}");
    }

    @Test
    void aRefusedModuleTwinOrAMissingTwinStoreChangesNothing() {
        String manifest = "{'modulesContent': {'$edgeAgent': {'properties.desired': {'schemaVersion': '1.1', 'modules': {}}},"
                + "'$edgeHub': {'properties.desired': " + HUB_DESIRED + "},"
                + "'filter': {'properties.desired': {'a.b': 1}}}}";
        ApiResponse refused = api.deploy(json(manifest), "test");
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.body().get("description").asText()).contains("module filter", "a.b", "nothing was changed");
        ApiResponse noStore = new DeploymentApi(configurator, agent, null, mapper)
                .deploy(json(manifest.replace("'a.b'", "'ab'")), "test");
        assertThat(noStore.status()).isEqualTo(503);
        assertThat(noStore.body().get("description").asText()).contains("io.gatehouse.twin");
        assertThat(configurator.applied).isEmpty();
        assertThat(agent.applied).isEmpty();
        assertThat(twins.twins).isEmpty();
    }

    @Test
    void aRefusedAgentPartAnswersItsCodeAndLeavesTheRoutesAsTheyWere() {
        String hub = "'$edgeHub': {'properties.desired': " + HUB_DESIRED + "}";
        assertThat(api.deploy(json("{'modulesContent': {'$edgeAgent': {'properties.desired': "
                + "{'schemaVersion': '2.0', 'modules': {}}}, " + hub + "}}"), "test").status()).isEqualTo(412);
        assertThat(api.deploy(json("{'modulesContent': {'$edgeAgent': {'properties.desired': {}}, " + hub + "}}"), "test")
                .status()).isEqualTo(417);
        ApiResponse missing = api.deploy(json("{'modulesContent': {'$edgeAgent': {}, " + hub + "}}"), "test");
        assertThat(missing.status()).isEqualTo(417);
        assertThat(missing.body().get("description").asText()).contains("nothing was changed");
        assertThat(configurator.applied).isEmpty();
        assertThat(agent.applied).isEmpty();
    }

    @Test
    void aRefusedHubPartLeavesTheModulesAsTheyWere() {
        ApiResponse answer = api.deploy(json("{'modulesContent': {"
                + "'$edgeAgent': {'properties.desired': {'schemaVersion': '1.1', 'modules': {}}},"
                + "'$edgeHub': {'properties.desired': {'schemaVersion': '2.0', 'routes': {}}}}}"), "test");
        assertThat(answer.status()).isEqualTo(400);
        assertThat(agent.applied).isEmpty();
        assertThat(configurator.applied).isEmpty();
    }

    @Test
    void modulesWithoutAnAgentAre503AndChangeNothing() {
        ApiResponse answer = new DeploymentApi(configurator, null, mapper).deploy(json("{'modulesContent': {"
                + "'$edgeAgent': {'properties.desired': {'schemaVersion': '1.1', 'modules': {}}},"
                + "'$edgeHub': {'properties.desired': " + HUB_DESIRED + "}}}"), "test");
        assertThat(answer.status()).isEqualTo(503);
        assertThat(answer.body().get("description").asText()).contains("io.gatehouse.agent", "nothing was changed");
        assertThat(configurator.applied).isEmpty();
    }

    @Test
    void aRefusalOfTheConfiguratorIs400WithItsReasonAndKeepsThePreviousConfiguration() {
        api.deploy(json("{'modulesContent': {'$edgeHub': {'properties.desired': " + HUB_DESIRED + "}}}"), "test");
        String before = configurator.current();

        ApiResponse answer = api.deploy(json("{'modulesContent': {'$edgeHub': {'properties.desired': "
                + "{'schemaVersion': '2.0', 'routes': {}}}}}"), "test");

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.body().get("status").asInt()).isEqualTo(400);
        assertThat(answer.body().get("description").asText())
                .contains("schemaVersion \"2.0\" is not supported", "nothing was changed");
        assertThat(configurator.current()).isEqualTo(before);
        assertThat(configurator.applied).hasSize(1);
    }

    @Test
    void aBadEnvelopeIs400WithAReasonAndReachesNoConfigurator() {
        assertRefused("[]", "the deployment manifest must be a JSON object, not an array");
        assertRefused("{}", "modulesContent is missing");
        assertRefused("{'modulesContent': []}", "modulesContent must be a JSON object, not an array");
        assertRefused("{'modulesContent': {}}", "modulesContent.$edgeHub is missing");
        assertRefused("{'modulesContent': {'$edgeHub': 'x'}}", "modulesContent.$edgeHub must be a JSON object, not a string");
        assertRefused("{'modulesContent': {'$edgeHub': {}}}", "modulesContent.$edgeHub.properties.desired is missing");
        assertRefused("{'modulesContent': {'$edgeHub': {'properties.desired': null}}}",
                "modulesContent.$edgeHub.properties.desired must be a JSON object, not null");
        assertRefused("{'modulesContent': {'$edgeAgent': 'x', '$edgeHub': {'properties.desired': " + HUB_DESIRED + "}}}",
                "modulesContent.$edgeAgent must be a JSON object, not a string");
        assertRefused("{'modulesContent': {'$edgeHub': {'properties.desired': {'a': 1, 'a': 2}}}}", "Duplicate field 'a'");
        assertRefused("{'modulesContent': ", "malformed JSON at line 1");
        assertRefused("", "the deployment manifest is missing");
        assertThat(configurator.applied).isEmpty();
        assertThat(configurator.current()).isNull();
    }

    private void assertRefused(String body, String reason) {
        ApiResponse answer = api.deploy(json(body), "test");
        assertThat(answer.status()).as(body).isEqualTo(400);
        assertThat(answer.body().get("status").asInt()).as(body).isEqualTo(400);
        assertThat(answer.body().get("description").asText()).as(body).contains(reason, "nothing was changed");
    }

    @Test
    void getAnswers404BeforeAnyDeploymentThenTheDesiredPropertiesInForce() throws Exception {
        ApiResponse none = api.current();
        assertThat(none.status()).isEqualTo(404);
        assertThat(none.body().get("description").asText()).contains("no deployment");

        api.deploy(json("{'modulesContent': {'$edgeHub': {'properties.desired': " + HUB_DESIRED + "}}}"), "test");

        ApiResponse current = api.current();
        assertThat(current.status()).isEqualTo(200);
        assertThat(current.body()).isEqualTo(mapper.readTree(json(HUB_DESIRED)));
    }

    @Test
    void withoutAConfiguratorBothMethodsAre503AndNothingIsApplied() {
        DeploymentApi none = new DeploymentApi(null, agent, mapper);
        ApiResponse post = none.deploy(json("{'modulesContent': {'$edgeHub': {'properties.desired': "
                + HUB_DESIRED + "}}}"), "test");
        assertThat(post.status()).isEqualTo(503);
        assertThat(post.body().get("status").asInt()).isEqualTo(503);
        assertThat(post.body().get("description").asText()).contains("configurator is not available", "nothing was changed");
        assertThat(none.current().status()).isEqualTo(503);
    }
}
