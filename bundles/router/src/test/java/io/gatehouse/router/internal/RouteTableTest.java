package io.gatehouse.router.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.api.message.Message;
import io.gatehouse.api.route.EndpointIds;
import io.gatehouse.api.route.RouteTarget;
import org.junit.jupiter.api.Test;

class RouteTableTest {
    private final EdgeHubConfigParser parser = new EdgeHubConfigParser();
    private final RouteCompiler compiler = new RouteCompiler();

    private RouteTable table(String routesJson, long ttl) throws Exception {
        String json = ("{'schemaVersion':'1.1','routes':{" + routesJson + "},"
                + "'storeAndForwardConfiguration':{'timeToLiveSecs':" + ttl + "}}").replace('\'', '"');
        return new RouteTable(compiler.compileAll(parser.parse(json), "edge1"), new ObjectMapper());
    }

    @Test
    void oneTargetPerEndpointWithTheBestPriority() throws Exception {
        RouteTable t = table("'low':{'route':'FROM /messages/* INTO $upstream','priority':5,'timeToLiveSecs':50},"
                + "'high':{'route':'FROM /messages/* INTO $upstream','priority':1,'timeToLiveSecs':10},"
                + "'plain':'FROM /messages/* INTO $upstream',"
                + "'toFilter':'FROM /messages/* INTO BrokeredEndpoint(\\'/modules/filter/inputs/in\\')'", 7200);
        assertThat(t.route(Messages.fromDevice("d1").build())).containsExactly(
                new RouteTarget(EndpointIds.UPSTREAM, 1, 10),
                new RouteTarget("edge1/filter/in", RouteTarget.DEFAULT_PRIORITY, 7200));
    }

    @Test
    void equalPrioritiesKeepTheFirstRouteInManifestOrder() throws Exception {
        RouteTable t = table("'first':{'route':'FROM /messages/* INTO $upstream','priority':3,'timeToLiveSecs':30},"
                + "'second':{'route':'FROM /messages/* INTO $upstream','priority':3,'timeToLiveSecs':60}", 7200);
        assertThat(t.route(Messages.fromDevice("d1").build())).containsExactly(new RouteTarget(EndpointIds.UPSTREAM, 3, 30));
    }

    @Test
    void unprioritisedRoutesLoseToAnyExplicitPriority() throws Exception {
        RouteTable t = table("'plain':'FROM /messages/* INTO $upstream',"
                + "'nine':{'route':'FROM /messages/* INTO $upstream','priority':9}", 100);
        assertThat(t.route(Messages.fromDevice("d1").build())).containsExactly(new RouteTarget(EndpointIds.UPSTREAM, 9, 100));
    }

    @Test
    void routeTtlOverridesTheGlobalOneAndZeroMeansGlobal() throws Exception {
        RouteTable t = table("'own':{'route':'FROM /messages/* INTO BrokeredEndpoint(\\'/modules/a/inputs/i\\')','timeToLiveSecs':5},"
                + "'zero':{'route':'FROM /messages/* INTO BrokeredEndpoint(\\'/modules/b/inputs/i\\')','timeToLiveSecs':0}", -1);
        assertThat(t.route(Messages.fromDevice("d1").build())).containsExactly(
                new RouteTarget("edge1/a/i", RouteTarget.DEFAULT_PRIORITY, 5),
                new RouteTarget("edge1/b/i", RouteTarget.DEFAULT_PRIORITY, -1));
    }

    @Test
    void onlyMatchingSourcesAndTrueConditionsFire() throws Exception {
        RouteTable t = table("'leaf':'FROM /messages/* WHERE NOT is_defined($connectionModuleId) INTO BrokeredEndpoint(\\'/modules/leaf/inputs/i\\')',"
                + "'alerts':'FROM /messages/modules/filter/outputs/alerts INTO $upstream',"
                + "'hot':'FROM /messages/* WHERE as_number(temp) > 30 INTO BrokeredEndpoint(\\'/modules/cool/inputs/i\\')',"
                + "'twins':'FROM /twinChangeNotifications INTO BrokeredEndpoint(\\'/modules/twins/inputs/i\\')'", 7200);
        assertThat(t.route(Messages.fromDevice("d1").build())).extracting(RouteTarget::endpointId).containsExactly("edge1/leaf/i");
        assertThat(t.route(Messages.fromModule("filter", "alerts").build())).extracting(RouteTarget::endpointId)
                .containsExactly(EndpointIds.UPSTREAM);
        assertThat(t.route(Messages.fromModule("filter", "other").property("temp", "31").build()))
                .extracting(RouteTarget::endpointId).containsExactly("edge1/cool/i");
        assertThat(t.route(Messages.fromModule("filter", "other").property("temp", "cold").build())).isEmpty();
        assertThat(t.route(Messages.twinChange().build())).extracting(RouteTarget::endpointId).containsExactly("edge1/twins/i");
    }

    @Test
    void noRoutesMeansNoTargets() throws Exception {
        assertThat(table("", 7200).route(Message.builder().build())).isEmpty();
        assertThat(RouteTable.empty(new ObjectMapper()).route(Message.builder().build())).isEmpty();
    }
}
