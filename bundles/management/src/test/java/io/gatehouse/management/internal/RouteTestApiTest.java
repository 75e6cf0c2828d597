package io.gatehouse.management.internal;

import static io.gatehouse.management.internal.Bodies.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.api.message.Message;
import io.gatehouse.api.message.SystemProperties;
import io.gatehouse.api.route.RouteTestResult;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RouteTestApiTest {
    private static final String ROUTE = "FROM /messages/modules/sensor/outputs/* WHERE temperature > 20 INTO BrokeredEndpoint(\"/modules/filter/inputs/input1\")";
    private final ObjectMapper mapper = JsonBodies.newMapper();
    private final RecordingRouteTester tester = new RecordingRouteTester();
    private final RouteTestApi api = new RouteTestApi(tester, mapper);

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private String request(String messageJson) {
        return "{'route': '" + ROUTE.replace("\"", "\\'") + "', 'message': " + messageJson + "}";
    }

    @Test
    void evaluatesTheRouteOnTheMessageItDescribesAndAnswersTheResult() throws Exception {
        tester.answer = new RouteTestResult("true", true, "true", "edge1/filter/input1");

        ApiResponse answer = api.test(json(request("{'systemProperties': {'connectionDeviceId': 'edge1', "
                + "'connectionModuleId': 'sensor', 'outputName': 'out1', 'contentType': 'application/json', "
                + "'contentEncoding': 'utf-8'}, 'properties': {'temperature': '21.5', 'unit': 'C'}, "
                + "'body': 'café'}")));

        assertThat(answer.status()).isEqualTo(200);
        assertThat(mapper.writeValueAsString(answer.body()))
                .isEqualTo("{\"result\":\"true\",\"sourceMatches\":true,\"condition\":\"true\",\"sink\":\"edge1/filter/input1\"}");
        assertThat(tester.calls).hasSize(1);
        assertThat(tester.calls.get(0).route()).isEqualTo(ROUTE);
        assertThat(tester.calls.get(0).message()).isEqualTo(Message.builder()
                .systemProperty(SystemProperties.CONNECTION_DEVICE_ID, "edge1")
                .systemProperty(SystemProperties.CONNECTION_MODULE_ID, "sensor")
                .systemProperty(SystemProperties.OUTPUT_NAME, "out1")
                .systemProperty(SystemProperties.CONTENT_TYPE, "application/json")
                .systemProperty(SystemProperties.CONTENT_ENCODING, "utf-8")
                .property("temperature", "21.5")
                .property("unit", "C")
                .body(utf8("café"))
                .build());
    }

    @Test
    void aRouteThatDoesNotFireIsStillA200WithWhatTheRouterMadeOfIt() {
        tester.answer = new RouteTestResult("false", false, "undefined", "$upstream");

        ApiResponse answer = api.test(json("{'route': 'FROM /twinChangeNotifications INTO $upstream'}"));

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body().get("result").asText()).isEqualTo("false");
        assertThat(answer.body().get("sourceMatches").asBoolean()).isFalse();
        assertThat(answer.body().get("condition").asText()).isEqualTo("undefined");
        assertThat(answer.body().get("sink").asText()).isEqualTo("$upstream");
    }

    @Test
    void withoutAMessageOrWithAnEmptyOneTheMessageHasNoPropertiesAndAnEmptyBody() {
        assertThat(api.test(json("{'route': 'FROM /messages/* INTO $upstream'}")).status()).isEqualTo(200);
        assertThat(api.test(json("{'route': 'FROM /messages/* INTO $upstream', 'message': {}}")).status()).isEqualTo(200);

        assertThat(tester.calls).extracting(RecordingRouteTester.Call::message)
                .containsExactly(Message.builder().build(), Message.builder().build());
    }

    @Test
    void aJsonBodyThatIsNotAStringIsSentAsItsCompactJsonWithTheNumbersAsWritten() {
        assertBody("{'temperature': 21.50, 'tags': ['a', 'b'], 'ok': true}",
                utf8("{\"temperature\":21.50,\"tags\":[\"a\",\"b\"],\"ok\":true}"));
        assertBody("[1, 2.0, -0.5]", utf8("[1,2.0,-0.5]"));
        assertBody("42", utf8("42"));
        assertBody("false", utf8("false"));
        assertBody("null", utf8("null"));
        assertBody("'{\\'a\\': 1}'", utf8("{\"a\": 1}"));
        assertBody("''", new byte[0]);
    }

    private void assertBody(String bodyJson, byte[] expected) {
        tester.calls.clear();
        ApiResponse answer = api.test(json("{'route': 'FROM /messages/* INTO $upstream', 'message': {'body': "
                + bodyJson + "}}"));
        assertThat(answer.status()).as(bodyJson).isEqualTo(200);
        assertThat(tester.calls.get(0).message().body()).as(bodyJson).isEqualTo(expected);
    }

    @Test
    void bodyBase64IsDecodedToTheBytesEvenWhenTheyAreNotText() {
        ApiResponse answer = api.test(json("{'route': 'FROM /messages/* INTO $upstream', "
                + "'message': {'bodyBase64': 'AP8QgA=='}}"));

        assertThat(answer.status()).isEqualTo(200);
        assertThat(tester.calls.get(0).message().body()).containsExactly(0x00, 0xff, 0x10, 0x80);
    }

    @Test
    void aRouteThatDoesNotCompileIs400WithTheCompilersReason() throws Exception {
        ApiResponse answer = api.test(json("{'route': 'FROM /messages/* WHERE a = 1'}"));

        assertThat(answer.status()).isEqualTo(400);
        assertThat(mapper.writeValueAsString(answer.body())).isEqualTo("{\"error\":\"line 1, column 29: expected INTO\"}");
    }

    @Test
    void withoutATesterItIs503WithAReason() {
        ApiResponse answer = new RouteTestApi(null, mapper).test(json("{'route': 'FROM /messages/* INTO $upstream'}"));

        assertThat(answer.status()).isEqualTo(503);
        assertThat(answer.body().get("error").asText()).contains("route tester is not available", "io.gatehouse.router");
    }

    @Test
    void aBadRequestIs400WithAReasonAndReachesNoTester() {
        String route = "'route': 'FROM /messages/* INTO $upstream'";
        assertRefused("", "the route test is missing");
        assertRefused("{'route': ", "malformed JSON at line 1");
        assertRefused("['FROM /messages/* INTO $upstream']", "the route test must be a JSON object, not an array");
        assertRefused("{" + route + ", " + route + "}", "Duplicate field 'route'");
        assertRefused("{}", "route is required");
        assertRefused("{'route': ''}", "route must not be empty");
        assertRefused("{'route': 7}", "route must be a string, not a number");
        assertRefused("{" + route + ", 'priority': 0}", "unknown field \"priority\"; the fields are route, message");
        assertRefused("{" + route + ", 'message': 'hello'}", "message must be a JSON object, not a string");
        assertRefused("{" + route + ", 'message': null}", "message must be a JSON object, not null");
        assertRefused("{" + route + ", 'message': {'appProperties': {}}}",
                "unknown field \"message.appProperties\"; the fields of message are systemProperties, properties, body, bodyBase64");
        assertRefused("{" + route + ", 'message': {'properties': ['a']}}",
                "message.properties must be a JSON object, not an array");
        assertRefused("{" + route + ", 'message': {'properties': {'temperature': 21.5}}}",
                "message.properties.temperature must be a string, not a number");
        assertRefused("{" + route + ", 'message': {'systemProperties': {'contentType': null}}}",
                "message.systemProperties.contentType must be a string, not null");
        assertRefused("{" + route + ", 'message': {'systemProperties': {'content-type': 'application/json'}}}",
                "unknown system property \"content-type\" in message.systemProperties; the names are");
        assertRefused("{" + route + ", 'message': {'body': 'a', 'bodyBase64': 'YQ=='}}",
                "message.body and message.bodyBase64 are exclusive");
        assertRefused("{" + route + ", 'message': {'bodyBase64': 'not base64!'}}", "message.bodyBase64 is not valid base64");
        assertRefused("{" + route + ", 'message': {'bodyBase64': 12}}", "message.bodyBase64 must be a string, not a number");
        assertThat(tester.calls).isEmpty();
    }

    private void assertRefused(String body, String reason) {
        ApiResponse answer = api.test(json(body));
        assertThat(answer.status()).as(body).isEqualTo(400);
        assertThat(answer.body().get("error").asText()).as(body).contains(reason);
    }

    @Test
    void everySystemPropertyOfTheApiIsAcceptedUnderItsInternalName() {
        assertThat(RouteTestApi.SYSTEM_PROPERTY_NAMES).contains(SystemProperties.CONNECTION_DEVICE_ID,
                SystemProperties.CONNECTION_MODULE_ID, SystemProperties.OUTPUT_NAME, SystemProperties.MESSAGE_TYPE,
                SystemProperties.CONTENT_TYPE, SystemProperties.CONTENT_ENCODING, SystemProperties.CORRELATION_ID,
                SystemProperties.EXPIRY_TIME, SystemProperties.ENQUEUED_TIME);
        assertThat(RouteTestApi.SYSTEM_PROPERTY_NAMES).doesNotContain("correlationId", "MESSAGE_ID");

        ApiResponse answer = api.test(json("{'route': 'FROM /twinChangeNotifications INTO $upstream', "
                + "'message': {'systemProperties': {'messageType': 'twinChangeNotification', 'cid': 'c-1', "
                + "'absolute-expiry-time': '1700000000000'}}}"));

        assertThat(answer.status()).isEqualTo(200);
        assertThat(tester.calls.get(0).message().systemProperties())
                .containsEntry("messageType", "twinChangeNotification")
                .containsEntry("cid", "c-1")
                .containsEntry("absolute-expiry-time", "1700000000000");
    }
}
