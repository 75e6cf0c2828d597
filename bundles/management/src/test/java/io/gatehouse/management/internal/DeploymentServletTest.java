package io.gatehouse.management.internal;

import static io.gatehouse.management.internal.Bodies.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.api.identity.Identity;
import io.gatehouse.api.identity.IdentityId;
import org.junit.jupiter.api.Test;

/** The deployment servlet's own part: which gateway the {@code device} query parameter sends a manifest to. */
class DeploymentServletTest {
    private static final byte[] MANIFEST = json("{'modulesContent': {"
            + "'$edgeAgent': {'properties.desired': {'schemaVersion': '1.1', 'modules': {}}},"
            + "'$edgeHub': {'properties.desired': {'schemaVersion': '1.1', 'routes': {}}}}}");
    private final RecordingConfigurator hub = new RecordingConfigurator();
    private final RecordingAgentConfigurator agent = new RecordingAgentConfigurator();
    private final RecordingTwinStore twins = new RecordingTwinStore();
    private final InMemoryIdentityRegistry registry = new InMemoryIdentityRegistry();
    private final DeploymentServlet servlet = new DeploymentServlet();

    {
        servlet.configurator = hub;
        servlet.agent = agent;
        servlet.twins = twins;
        servlet.registry = registry;
        servlet.deviceId = "gw1";
        registry.add(new Identity(IdentityId.device("child1"), null, null, true, null));
    }

    private ServletExchange post(String query) throws Exception {
        ServletExchange exchange = new ServletExchange("POST", "/api/deployment", null, query, MANIFEST, MANIFEST.length);
        servlet.doPost(exchange.request, exchange.response);
        return exchange;
    }

    @Test
    void withoutADeviceOrWithThisGatewaysOwnIdTheManifestIsAppliedHere() throws Exception {
        assertThat(post(null).status).isEqualTo(200);
        assertThat(post("device=gw1").status).isEqualTo(200);

        assertThat(hub.applied).hasSize(2);
        assertThat(agent.applied).hasSize(2);
        assertThat(twins.twins).isEmpty();
    }

    @Test
    void aChildsDeviceIdStoresTheManifestInItsTwinsAndAppliesNothingHere() throws Exception {
        ServletExchange exchange = post("device=child1");

        assertThat(exchange.status).isEqualTo(200);
        assertThat(exchange.body()).isEqualTo("{\"status\":200,\"description\":"
                + "\"deployment for child1 stored in its twins ($edgeAgent version 2)\"}");
        assertThat(twins.twins).containsOnlyKeys(IdentityId.module("child1", "$edgeHub"),
                IdentityId.module("child1", "$edgeAgent"));
        assertThat(hub.applied).isEmpty();
        assertThat(agent.applied).isEmpty();
    }

    @Test
    void aMisspeltOrEmptyParameterIsRefusedUnreadRatherThanDeployingHere() throws Exception {
        ServletExchange misspelt = post("devcie=child1");
        assertThat(misspelt.status).isEqualTo(400);
        assertThat(misspelt.body()).contains("unknown query parameter 'devcie'", "nothing was changed");
        assertThat(misspelt.bytesRead).isZero();
        ServletExchange empty = post("device=");
        assertThat(empty.status).isEqualTo(400);
        assertThat(empty.body()).contains("the device query parameter is empty");
        assertThat(post("device=child1&device=gw1").status).isEqualTo(400);

        assertThat(hub.applied).isEmpty();
        assertThat(agent.applied).isEmpty();
        assertThat(twins.twins).isEmpty();
    }

    @Test
    void getForAChildPointsAtItsTwins() throws Exception {
        ServletExchange exchange = new ServletExchange("GET", "/api/deployment", null, "device=child1", new byte[0], 0);
        servlet.doGet(exchange.request, exchange.response);

        assertThat(exchange.status).isEqualTo(400);
        assertThat(exchange.body()).contains("/api/twins/child1/modules/$edgeHub");
    }
}
