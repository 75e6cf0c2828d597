package io.gatehouse.router.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.api.deployment.InvalidConfigurationException;
import io.gatehouse.api.message.Message;
import io.gatehouse.api.route.EndpointIds;
import io.gatehouse.api.route.RouteTarget;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EdgeHubRouterTest {
    private static final String V1 = json("{'schemaVersion':'1.1','routes':{"
            + "'up':'FROM /messages/* INTO $upstream',"
            + "'alarms':{'route':'FROM /messages/* WHERE level = \\'alarm\\' INTO BrokeredEndpoint(\\'/modules/alarm/inputs/in\\')','priority':0}},"
            + "'storeAndForwardConfiguration':{'timeToLiveSecs':600}}");
    private static final String V2 = json("{'schemaVersion':'1.0','routes':{'only':'FROM /messages/modules/m/* INTO $upstream'}}");

    @TempDir
    Path dir;

    private static String json(String s) {
        return s.replace('\'', '"');
    }

    private static EdgeHubRouter.Config config(Path stateDirectory, String deviceId) {
        return RouterConfigs.config(stateDirectory, deviceId, "");
    }

    private EdgeHubRouter started() {
        EdgeHubRouter router = new EdgeHubRouter();
        router.activate(config(dir, "gw"));
        return router;
    }

    private static Message alarm() {
        return Messages.fromDevice("d1").property("level", "alarm").build();
    }

    @Test
    void startsWithNoRoutes() {
        EdgeHubRouter router = started();
        assertThat(router.current()).isNull();
        assertThat(router.route(alarm())).isEmpty();
    }

    @Test
    void appliesRoutesAndReturnsTheConfigurationInForce() throws Exception {
        EdgeHubRouter router = started();
        router.apply(V1);
        assertThat(router.current()).isEqualTo(V1);
        assertThat(router.route(alarm())).containsExactly(
                new RouteTarget(EndpointIds.UPSTREAM, RouteTarget.DEFAULT_PRIORITY, 600),
                new RouteTarget("gw/alarm/in", 0, 600));
        router.apply(V2);
        assertThat(router.current()).isEqualTo(V2);
        assertThat(router.route(alarm())).isEmpty();
        assertThat(router.route(Messages.fromModule("m", "o").build()))
                .containsExactly(new RouteTarget(EndpointIds.UPSTREAM, RouteTarget.DEFAULT_PRIORITY, 7200));
    }

    @Test
    void refusedConfigurationChangesNothing() throws Exception {
        EdgeHubRouter router = started();
        router.apply(V1);
        byte[] stored = Files.readAllBytes(dir.resolve(StateFile.FILE_NAME));
        String badRoute = json("{'schemaVersion':'1.1','routes':{'up':'FROM /messages/* INTO $upstream',"
                + "'alarms':'FROM /messages/* WHERE level > 3 INTO $upstream'},'storeAndForwardConfiguration':{'timeToLiveSecs':1}}");
        assertThatThrownBy(() -> router.apply(badRoute))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageStartingWith("Error parsing route alarms: cannot compare string with number using '>'")
                .hasMessageContaining("at line 1, column 30");
        assertThatThrownBy(() -> router.apply(json("{'schemaVersion':'9.0'}")))
                .hasMessageContaining("schemaVersion 9.0 is not supported");
        assertThatThrownBy(() -> router.validate(badRoute))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageStartingWith("Error parsing route alarms");
        router.validate(V2);
        assertThat(router.current()).isEqualTo(V1);
        assertThat(router.route(alarm())).hasSize(2);
        assertThat(Files.readAllBytes(dir.resolve(StateFile.FILE_NAME))).isEqualTo(stored);
    }

    @Test
    void routesSurviveARestartInANewInstance() throws Exception {
        EdgeHubRouter first = started();
        first.apply(V1);
        first.deactivate();

        EdgeHubRouter second = started();
        assertThat(second.current()).isEqualTo(V1);
        assertThat(second.route(alarm())).extracting(RouteTarget::endpointId).containsExactly(EndpointIds.UPSTREAM, "gw/alarm/in");
        assertThat(dir.resolve(StateFile.FILE_NAME + ".tmp")).doesNotExist();
    }

    @Test
    void aRouterOutOfServiceKeepsRoutingByItsLastRoutesAndRefusesNewOnes() throws Exception {
        EdgeHubRouter router = started();
        router.apply(V1);
        router.deactivate();
        assertThat(router.route(alarm())).extracting(RouteTarget::endpointId).containsExactly(EndpointIds.UPSTREAM, "gw/alarm/in");
        assertThatThrownBy(() -> router.apply(V2)).isInstanceOf(IllegalStateException.class);
        assertThat(router.current()).isEqualTo(V1);
        assertThat(Files.readString(dir.resolve(StateFile.FILE_NAME))).isEqualTo(V1);
    }

    @Test
    void corruptStateFileIsIgnored() throws Exception {
        Files.writeString(dir.resolve(StateFile.FILE_NAME), "{\"schemaVersion\": \"1.1\", \"rou", StandardCharsets.UTF_8);
        EdgeHubRouter router = started();
        assertThat(router.current()).isNull();
        assertThat(router.route(alarm())).isEmpty();
        router.apply(V2);
        assertThat(router.current()).isEqualTo(V2);
        assertThat(Files.readString(dir.resolve(StateFile.FILE_NAME))).isEqualTo(V2);
    }

    @Test
    void storedConfigurationThatNoLongerCompilesIsIgnored() throws Exception {
        Files.writeString(dir.resolve(StateFile.FILE_NAME),
                json("{'schemaVersion':'1.0','routes':{'r':'FROM /messages/* INTO $nowhere'}}"));
        EdgeHubRouter router = started();
        assertThat(router.current()).isNull();
        assertThat(router.route(alarm())).isEmpty();
    }

    @Test
    void changingTheDeviceIdRenamesModuleEndpoints() throws Exception {
        EdgeHubRouter router = started();
        router.apply(V1);
        router.modified(config(dir, "gw2"));
        assertThat(router.route(alarm())).extracting(RouteTarget::endpointId).containsExactly(EndpointIds.UPSTREAM, "gw2/alarm/in");
    }

    @Test
    void movingTheStateDirectoryTakesTheConfigurationAlong() throws Exception {
        EdgeHubRouter router = started();
        router.apply(V1);
        Path moved = dir.resolve("moved");
        router.modified(config(moved, "gw"));
        assertThat(Files.readString(moved.resolve(StateFile.FILE_NAME))).isEqualTo(V1);
        assertThat(router.route(alarm())).hasSize(2);
    }

    @Test
    void unwritableStateDirectoryRefusesTheConfiguration() throws Exception {
        Path file = dir.resolve("not-a-directory");
        Files.writeString(file, "x");
        EdgeHubRouter router = new EdgeHubRouter();
        router.activate(config(file, "gw"));
        assertThatThrownBy(() -> router.apply(V1)).hasMessageContaining("Could not store the $edgeHub configuration");
        assertThat(router.current()).isNull();
        assertThat(router.route(alarm())).isEmpty();
    }

    @Test
    void readersNeverSeeHalfAConfiguration() throws Exception {
        EdgeHubRouter router = started();
        // A: both endpoints at priority 0; B: only upstream at priority 1. A mix would show up as
        // e.g. upstream at 1 together with the module endpoint.
        String a = json("{'schemaVersion':'1.1','routes':{'u':{'route':'FROM /* INTO $upstream','priority':0},"
                + "'m':{'route':'FROM /* INTO BrokeredEndpoint(\\'/modules/x/inputs/i\\')','priority':0}},"
                + "'storeAndForwardConfiguration':{'timeToLiveSecs':1}}");
        String b = json("{'schemaVersion':'1.1','routes':{'u':{'route':'FROM /* INTO $upstream','priority':1}},"
                + "'storeAndForwardConfiguration':{'timeToLiveSecs':2}}");
        List<RouteTarget> expectA = List.of(new RouteTarget(EndpointIds.UPSTREAM, 0, 1), new RouteTarget("gw/x/i", 0, 1));
        List<RouteTarget> expectB = List.of(new RouteTarget(EndpointIds.UPSTREAM, 1, 2));
        router.apply(a);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<List<RouteTarget>> wrong = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            Message m = Messages.fromDevice("d").build();
            while (!stop.get()) {
                List<RouteTarget> r = router.route(m);
                if (!r.equals(expectA) && !r.equals(expectB)) wrong.set(r);
            }
        });
        reader.start();
        for (int i = 0; i < 100; i++) {
            router.apply(i % 2 == 0 ? b : a);
        }
        stop.set(true);
        reader.join();
        assertThat(wrong.get()).isNull();
    }
}
