package io.gatehouse.router.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.api.deployment.InvalidConfigurationException;
import io.gatehouse.api.message.Message;
import io.gatehouse.api.route.EndpointIds;
import io.gatehouse.api.route.RouteTarget;
import io.gatehouse.api.route.RouteTestResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The no_route counter, the fallbackRoute setting and the route tester of the router component. */
class FallbackAndStatisticsTest {
    /** Routes only module m's telemetry and twin notifications that include the firmware. */
    private static final String CONFIG = ("{'schemaVersion':'1.1','routes':{"
            + "'fromM':'FROM /messages/modules/m/* INTO $upstream',"
            + "'fw':'FROM /twinChangeNotifications WHERE twin_change_includes(properties.reported.firmware) "
            + "INTO BrokeredEndpoint(\\'/modules/updater/inputs/fw\\')'},"
            + "'storeAndForwardConfiguration':{'timeToLiveSecs':600}}").replace('\'', '"');

    @TempDir
    Path dir;

    private EdgeHubRouter started(String deviceId, String fallbackRoute) {
        EdgeHubRouter router = new EdgeHubRouter();
        router.activate(RouterConfigs.config(dir, deviceId, fallbackRoute));
        return router;
    }

    private static Message leaf() {
        return Messages.fromDevice("d1").build();
    }

    private static Message twin(String patch) {
        return Messages.twinChange().body(patch.getBytes(java.nio.charset.StandardCharsets.UTF_8)).build();
    }

    private static long dropped(EdgeHubRouter router) {
        Map<String, Long> counts = router.droppedMessages();
        assertThat(counts).containsOnlyKeys("no_route");
        return counts.get("no_route");
    }

    @Test
    void unmatchedTelemetryIsCountedAndUnmatchedTwinNotificationsAreNot() throws Exception {
        EdgeHubRouter router = started("gw", "");
        assertThat(dropped(router)).isZero();
        assertThat(router.route(leaf())).isEmpty();
        assertThat(dropped(router)).as("no configuration yet: nothing matches").isEqualTo(1);

        router.apply(CONFIG);
        assertThat(router.route(leaf())).isEmpty();
        assertThat(router.route(Messages.fromModule("other", "o").build())).isEmpty();
        assertThat(dropped(router)).isEqualTo(3);
        assertThat(router.route(twin("{\"properties\":{\"reported\":{\"other\":1}}}"))).isEmpty();
        assertThat(dropped(router)).as("twin notifications are not counted, as in IoT Edge").isEqualTo(3);
        assertThat(router.route(Messages.fromModule("m", "o").build())).hasSize(1);
        assertThat(router.route(twin("{\"properties\":{\"reported\":{\"firmware\":\"1.2\"}}}")))
                .containsExactly(new RouteTarget("gw/updater/fw", RouteTarget.DEFAULT_PRIORITY, 600));
        assertThat(dropped(router)).isEqualTo(3);
    }

    @Test
    void fallbackTakesUnmatchedTelemetryWithDefaultPriorityAndTheGlobalTtl() throws Exception {
        EdgeHubRouter router = started("gw", "BrokeredEndpoint(\"/modules/sink/inputs/in\")");
        assertThat(router.route(leaf())).as("before any configuration: the 1.0 default TTL")
                .containsExactly(new RouteTarget("gw/sink/in", RouteTarget.DEFAULT_PRIORITY, 7200));
        router.apply(CONFIG);
        assertThat(router.route(leaf())).containsExactly(new RouteTarget("gw/sink/in", RouteTarget.DEFAULT_PRIORITY, 600));
        assertThat(router.route(Messages.fromModule("m", "o").build()))
                .as("a matched message goes only where its routes say")
                .containsExactly(new RouteTarget(EndpointIds.UPSTREAM, RouteTarget.DEFAULT_PRIORITY, 600));
        assertThat(router.route(twin("{}"))).as("twin notifications never use the fallback").isEmpty();
        assertThat(dropped(router)).isZero();
    }

    @Test
    void invalidFallbackIsIgnoredAndMessagesAreCountedAsDropped() throws Exception {
        for (String bad : new String[] {"$local", "BrokeredEndpoint(\"/modules/m\")", "Endpoint(\"x\")", "$upstream extra", "("}) {
            EdgeHubRouter router = started("gw", bad);
            router.apply(CONFIG);
            assertThat(router.route(leaf())).as(bad).isEmpty();
            assertThat(dropped(router)).as(bad).isEqualTo(1);
        }
    }

    @Test
    void extraTextAfterTheSinkIsASyntaxError() {
        assertThatThrownBy(() -> new RouteCompiler().compileSink("$upstream extra", "gw"))
                .hasMessage("syntax error: extraneous input 'extra' expecting the end of the route at line 1, column 11");
    }

    @Test
    void fallbackFollowsConfigurationChanges() throws Exception {
        EdgeHubRouter router = started("gw", "");
        router.apply(CONFIG);
        router.modified(RouterConfigs.config(dir, "gw", "  $UPSTREAM "));
        assertThat(router.route(leaf())).containsExactly(new RouteTarget(EndpointIds.UPSTREAM, RouteTarget.DEFAULT_PRIORITY, 600));
        router.modified(RouterConfigs.config(dir, "gw", "BrokeredEndpoint('/modules/sink/inputs/in')"));
        assertThat(router.route(leaf())).extracting(RouteTarget::endpointId).containsExactly("gw/sink/in");
        router.modified(RouterConfigs.config(dir, "gw2", "BrokeredEndpoint('/modules/sink/inputs/in')"));
        assertThat(router.route(leaf())).extracting(RouteTarget::endpointId).containsExactly("gw2/sink/in");
        router.modified(RouterConfigs.config(dir, "gw2", ""));
        assertThat(router.route(leaf())).isEmpty();
        assertThat(dropped(router)).isEqualTo(1);
        assertThat(router.current()).as("the routes stayed").isEqualTo(CONFIG);
    }

    @Test
    void testerReportsSourceConditionAndEndpointWithTheRoutersDeviceId() throws Exception {
        EdgeHubRouter router = started("gw", "");
        String route = "FROM /messages/modules/m/* WHERE level = 'alarm' INTO BrokeredEndpoint('/modules/a/inputs/b')";
        Message fromX = Messages.fromModule("x", "o").property("level", "alarm").build();
        Message fromM = Messages.fromModule("m", "o").property("level", "alarm").build();
        Message quiet = Messages.fromModule("m", "o").build();
        assertThat(router.test(route, fromX)).isEqualTo(new RouteTestResult("false", false, "true", "gw/a/b"));
        assertThat(router.test(route, fromM)).isEqualTo(new RouteTestResult("true", true, "true", "gw/a/b"));
        assertThat(router.test(route, quiet)).isEqualTo(new RouteTestResult("false", true, "undefined", "gw/a/b"));
        assertThat(router.test("FROM /* INTO $upstream", quiet)).isEqualTo(new RouteTestResult("true", true, "true", EndpointIds.UPSTREAM));
        assertThat(router.test("FROM /twinChangeNotifications WHERE twin_change_includes(tags.site) INTO $upstream",
                twin("{\"tags\":{\"site\":\"n\"}}"))).isEqualTo(new RouteTestResult("true", true, "true", EndpointIds.UPSTREAM));
        router.modified(RouterConfigs.config(dir, "gw2", ""));
        assertThat(router.test(route, fromM).endpointId()).isEqualTo("gw2/a/b");
    }

    @Test
    void testerRefusesBadRoutesWithPositionAndChangesNothing() throws Exception {
        EdgeHubRouter router = started("gw", "");
        router.apply(CONFIG);
        assertThatThrownBy(() -> router.test("FROM /messages/* WHERE level > 1 INTO $upstream", leaf()))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessage("Error parsing route: cannot compare string with number using '>' "
                        + "(properties are strings: convert with as_number(…)) at line 1, column 30");
        assertThatThrownBy(() -> router.test("FROM /messages/* INTO $local", leaf()))
                .hasMessage("Error parsing route: system endpoint $local is not supported (only $upstream is) at line 1, column 23");
        assertThatThrownBy(() -> router.test("FROM /* WHERE twin_change_includes(tags.a) INTO $upstream", leaf()))
                .hasMessageContaining("function twin_change_includes is only valid on routes FROM /twinChangeNotifications at line 1, column 15");
        assertThatThrownBy(() -> router.test("  ", leaf())).hasMessage("Error parsing route: the route is empty");
        assertThatThrownBy(() -> router.test(null, leaf())).isInstanceOf(InvalidConfigurationException.class);
        assertThat(router.current()).isEqualTo(CONFIG);
        assertThat(router.test("FROM /messages/* INTO $upstream", leaf()).result()).isEqualTo("true");
        assertThat(dropped(router)).as("testing routes nothing and counts nothing").isZero();
    }

    @Test
    void twinChangeIncludesOutsideTwinRoutesIsRefusedWhenApplied() throws Exception {
        EdgeHubRouter router = started("gw", "");
        router.apply(CONFIG);
        byte[] stored = Files.readAllBytes(dir.resolve(StateFile.FILE_NAME));
        String bad = ("{'schemaVersion':'1.1','routes':{'all':'FROM /* WHERE twin_change_includes(properties.reported.fw) INTO $upstream'},"
                + "'storeAndForwardConfiguration':{'timeToLiveSecs':1}}").replace('\'', '"');
        assertThatThrownBy(() -> router.apply(bad)).isInstanceOf(InvalidConfigurationException.class)
                .hasMessage("Error parsing route all: function twin_change_includes is only valid on routes "
                        + "FROM /twinChangeNotifications at line 1, column 15");
        String badPath = ("{'schemaVersion':'1.1','routes':{'t':'FROM /twinChangeNotifications/* WHERE twin_change_includes(properties.fw) INTO $upstream'},"
                + "'storeAndForwardConfiguration':{'timeToLiveSecs':1}}").replace('\'', '"');
        assertThatThrownBy(() -> router.apply(badPath))
                .hasMessageContaining("Error parsing route t: twin path 'properties.fw' is not supported: it must start with "
                        + "'properties.reported.', 'properties.desired.' or 'tags.'");
        assertThat(router.current()).isEqualTo(CONFIG);
        assertThat(Files.readAllBytes(dir.resolve(StateFile.FILE_NAME))).isEqualTo(stored);
    }
}
