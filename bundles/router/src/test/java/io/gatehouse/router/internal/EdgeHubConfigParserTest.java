package io.gatehouse.router.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.api.deployment.InvalidConfigurationException;
import io.gatehouse.api.route.RouteTarget;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class EdgeHubConfigParserTest {
    private final EdgeHubConfigParser parser = new EdgeHubConfigParser();

    /** Single quotes stand for double quotes, to keep the JSON readable here. */
    private static String j(String json) {
        return json.replace('\'', '"');
    }

    @Test
    void schema10TakesRouteStrings() throws Exception {
        EdgeHubConfig c = parser.parse(j("{'schemaVersion':'1.0','routes':{'a':'FROM /messages/* INTO $upstream',"
                + "'b':'FROM /messages/* INTO $upstream'},'storeAndForwardConfiguration':{'timeToLiveSecs':10}}"));
        assertThat(c.schemaVersion()).isEqualTo("1.0");
        assertThat(c.timeToLiveSecs()).isEqualTo(10);
        assertThat(c.routes()).containsExactly(
                new RouteSpec("a", "FROM /messages/* INTO $upstream", RouteTarget.DEFAULT_PRIORITY, 0),
                new RouteSpec("b", "FROM /messages/* INTO $upstream", RouteTarget.DEFAULT_PRIORITY, 0));
    }

    @Test
    void schema10WithoutStoreAndForwardUsesTheDocumentedDefault() throws Exception {
        EdgeHubConfig c = parser.parse(j("{'schemaVersion':'1.0','routes':{}}"));
        assertThat(c.timeToLiveSecs()).isEqualTo(7200);
        assertThat(c.routes()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.1", "1.2", "1.3", "1.1.0", "1.3.0.0"})
    void schema11AndLaterTakeStringsAndObjects(String version) throws Exception {
        EdgeHubConfig c = parser.parse(j("{'schemaVersion':'" + version + "','routes':{"
                + "'plain':'FROM /messages/* INTO $upstream',"
                + "'full':{'route':'FROM /messages/* INTO $upstream','priority':0,'timeToLiveSecs':60},"
                + "'bare':{'route':'FROM /messages/* INTO $upstream'}},"
                + "'storeAndForwardConfiguration':{'timeToLiveSecs':-1},"
                + "'mqttBroker':{'authorizations':[],'bridges':[]},'$version':4}"));
        assertThat(c.timeToLiveSecs()).isEqualTo(-1);
        assertThat(c.routes()).extracting(RouteSpec::name).containsExactly("plain", "full", "bare");
        assertThat(c.routes().get(1)).isEqualTo(new RouteSpec("full", "FROM /messages/* INTO $upstream", 0, 60));
        assertThat(c.routes().get(2).priority()).isEqualTo(RouteTarget.DEFAULT_PRIORITY);
        assertThat(c.routes().get(2).timeToLiveSecs()).isZero();
    }

    static Stream<Arguments> refusals() {
        String saf = ",'storeAndForwardConfiguration':{'timeToLiveSecs':7200}";
        String ok = "'r':'FROM /messages/* INTO $upstream'";
        return Stream.of(
                Arguments.of("", "the desired properties are empty"),
                Arguments.of("{", "not valid JSON"),
                Arguments.of("[]", "must be a JSON object"),
                Arguments.of("{'schemaVersion':'1.1'} trailing", "not valid JSON"),
                Arguments.of("{'routes':{}" + saf + "}", "schemaVersion is missing"),
                Arguments.of("{'schemaVersion':'one'}", "schemaVersion \"one\" is not a version"),
                Arguments.of("{'schemaVersion':'1'}", "schemaVersion \"1\" is not a version"),
                Arguments.of("{'schemaVersion':'1.x'}", "is not a version"),
                Arguments.of("{'schemaVersion':true}", "schemaVersion must be a string"),
                Arguments.of("{'schemaVersion':'2.0','routes':{}" + saf + "}", "schemaVersion 2.0 is not supported (supported: 1.0, 1.1, 1.2, 1.3)"),
                Arguments.of("{'schemaVersion':'1.4','routes':{}" + saf + "}", "schemaVersion 1.4 is not supported"),
                Arguments.of("{'schemaVersion':'0.9','routes':{}" + saf + "}", "schemaVersion 0.9 is not supported"),
                Arguments.of("{'schemaVersion':'1.1'" + saf + "}", "routes is required for schemaVersion 1.1"),
                Arguments.of("{'schemaVersion':'1.1','routes':[]" + saf + "}", "routes must be an object"),
                Arguments.of("{'schemaVersion':'1.1','routes':{" + ok + "}}", "storeAndForwardConfiguration is required for schemaVersion 1.1"),
                Arguments.of("{'schemaVersion':'1.2','routes':{" + ok + "},'storeAndForwardConfiguration':{}}",
                        "storeAndForwardConfiguration.timeToLiveSecs is required for schemaVersion 1.2"),
                Arguments.of("{'schemaVersion':'1.1','routes':{" + ok + "},'storeAndForwardConfiguration':{'timeToLiveSecs':'x'}}",
                        "storeAndForwardConfiguration.timeToLiveSecs must be an integer"),
                Arguments.of("{'schemaVersion':'1.1','routes':{" + ok + "},'storeAndForwardConfiguration':{'timeToLiveSecs':1.5}}",
                        "storeAndForwardConfiguration.timeToLiveSecs must be an integer"),
                Arguments.of("{'schemaVersion':'1.1','routes':{" + ok + "},'storeAndForwardConfiguration':7200}",
                        "storeAndForwardConfiguration must be an object"),
                Arguments.of("{'schemaVersion':'1.1','routes':{'':'FROM /messages/* INTO $upstream'}" + saf + "}", "a route name is empty"),
                Arguments.of("{'schemaVersion':'1.1','routes':{'a.b':'FROM /messages/* INTO $upstream'}" + saf + "}",
                        "route name \"a.b\" contains '.'"),
                Arguments.of("{'schemaVersion':'1.1','routes':{'$a':'FROM /messages/* INTO $upstream'}" + saf + "}", "contains '$'"),
                Arguments.of("{'schemaVersion':'1.1','routes':{'a#':'FROM /messages/* INTO $upstream'}" + saf + "}", "contains '#'"),
                Arguments.of("{'schemaVersion':'1.1','routes':{'a b':'FROM /messages/* INTO $upstream'}" + saf + "}", "contains ' '"),
                Arguments.of("{'schemaVersion':'1.1','routes':{" + ok + "," + ok + "}" + saf + "}", "Duplicate field 'r'"),
                Arguments.of("{'schemaVersion':'1.1','routes':{'r':5}" + saf + "}",
                        "Error parsing route r: malformed route specification: expected a route string or an object"),
                Arguments.of("{'schemaVersion':'1.1','routes':{'r':null}" + saf + "}", "Error parsing route r: malformed route specification"),
                Arguments.of("{'schemaVersion':'1.1','routes':{'r':'  '}" + saf + "}", "Error parsing route r: the route is empty"),
                Arguments.of("{'schemaVersion':'1.0','routes':{'r':{'route':'FROM /messages/* INTO $upstream'}}}",
                        "Error parsing route r: schemaVersion 1.0 allows only route strings"),
                Arguments.of("{'schemaVersion':'1.1','routes':{'r':{'priority':1}}" + saf + "}", "Error parsing route r: route is missing"),
                Arguments.of("{'schemaVersion':'1.1','routes':{'r':{'route':''}}" + saf + "}", "Error parsing route r: the route is empty"),
                Arguments.of("{'schemaVersion':'1.1','routes':{'r':{'route':7}}" + saf + "}", "Error parsing route r: route must be a string"),
                Arguments.of("{'schemaVersion':'1.1','routes':{'r':{'route':'FROM /messages/* INTO $upstream','priority':10}}" + saf + "}",
                        "Error parsing route r: priority must be an integer from 0 (highest) to 9, got 10"),
                Arguments.of("{'schemaVersion':'1.1','routes':{'r':{'route':'FROM /messages/* INTO $upstream','priority':-1}}" + saf + "}",
                        "priority must be an integer from 0 (highest) to 9, got -1"),
                Arguments.of("{'schemaVersion':'1.1','routes':{'r':{'route':'FROM /messages/* INTO $upstream','priority':'1'}}" + saf + "}",
                        "priority must be an integer"),
                Arguments.of("{'schemaVersion':'1.1','routes':{'r':{'route':'FROM /messages/* INTO $upstream','priority':1.5}}" + saf + "}",
                        "priority must be an integer"),
                Arguments.of("{'schemaVersion':'1.1','routes':{'r':{'route':'FROM /messages/* INTO $upstream','timeToLiveSecs':-5}}" + saf + "}",
                        "Error parsing route r: timeToLiveSecs must be an integer from 0 to 4294967295"),
                Arguments.of("{'schemaVersion':'1.1','routes':{'r':{'route':'FROM /messages/* INTO $upstream','timeToLiveSecs':4294967296}}" + saf + "}",
                        "timeToLiveSecs must be an integer from 0 to 4294967295"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("refusals")
    void refusesWithAReason(String json, String reason) {
        assertThatThrownBy(() -> parser.parse(j(json)))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining(reason);
    }
}
