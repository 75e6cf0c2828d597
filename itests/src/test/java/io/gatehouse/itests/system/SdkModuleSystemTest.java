package io.gatehouse.itests.system;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.azure.sdk.iot.device.ClientOptions;
import com.microsoft.azure.sdk.iot.device.IotHubClientProtocol;
import com.microsoft.azure.sdk.iot.device.ModuleClient;
import com.microsoft.azure.sdk.iot.device.auth.IotHubSSLContext;
import com.microsoft.azure.sdk.iot.device.exceptions.IotHubClientException;
import com.microsoft.azure.sdk.iot.device.twin.DirectMethodResponse;
import com.microsoft.azure.sdk.iot.device.twin.Twin;
import com.microsoft.azure.sdk.iot.device.twin.TwinCollection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A module written with the Azure IoT device SDK for Java (2.x, over MQTT with TLS and over AMQPS,
 * through GatewayHostName, trusting the edge CA) uses Gatehouse's twins and direct methods with the
 * SDK's own calls, and sends to an output that a route takes to another module: nothing in the
 * module knows it is not talking to IoT Edge's hub.
 */
class SdkModuleSystemTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Each SDK call's own limit: far below the SDK's default of minutes, so a refusal fails fast. */
    private static final int SDK_TIMEOUT_MILLIS = 15_000;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = IotHubClientProtocol.class, names = {"MQTT", "AMQPS"})
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void anSdkModuleUsesItsTwinAnswersAMethodAndSendsToAnOutput(IotHubClientProtocol protocol) throws Exception {
        try (GatehouseProcess gatehouse = new GatehouseProcess(dir)) {
            // the SDK connects to port 8883 (MQTT) or 5671 (AMQPS) of its GatewayHostName, whatever else is configured
            gatehouse.putEnvironment("GATEHOUSE_MQTT_TLS_PORT", "8883");
            gatehouse.putEnvironment("GATEHOUSE_AMQPS_PORT", "5671");
            gatehouse.start();
            String key = OperatorCli.addIdentity(gatehouse, "edge1/sdkModule");
            String sinkKey = OperatorCli.addIdentity(gatehouse, "edge1/sink");
            OperatorCli.deploy(gatehouse, dir, "routes", List.of(OperatorCli.Route.of("alerts",
                    "FROM /messages/modules/sdkModule/outputs/alerts INTO BrokeredEndpoint(\"/modules/sink/inputs/fromSdk\")")));
            Path edgeCa = gatehouse.dataDirectory().resolve("certs/edge-ca.pem");
            assertThat(edgeCa).isRegularFile();

            String connectionString = "HostName=" + GatehouseProcess.IOTHUB + ";DeviceId=edge1;ModuleId=sdkModule"
                    + ";SharedAccessKey=" + key + ";GatewayHostName=localhost";
            ClientOptions options = ClientOptions.builder()
                    .sslContext(IotHubSSLContext.getSSLContextFromFile(edgeCa.toString()))
                    .build();
            ModuleClient client = new ModuleClient(connectionString, protocol, options);
            try {
                // one attempt: the SDK would otherwise retry a refused connection for minutes
                client.open(false);

                // SDK 2.x refuses getTwin (IllegalStateException, nothing sent) before this subscription
                BlockingQueue<TwinCollection> desiredPatches = new LinkedBlockingQueue<>();
                client.subscribeToDesiredProperties((patch, context) -> desiredPatches.add(patch.getDesiredProperties()),
                        null, SDK_TIMEOUT_MILLIS);

                Twin twin = getTwin(client);
                assertThat(twin.getDesiredProperties().getVersion()).as("desired $version").isEqualTo(1);

                TwinCollection reported = new TwinCollection();
                reported.put("firmware", "1.2");
                // Async, and the gateway's stored twin is the proof: the gateway answers
                // $iothub/twin/res/204/?$rid=<rid>&$version=2 at once, but SDK 2.5.0 drops that answer
                // when it handles the PUBACK of its PATCH first (about half the runs here), so its
                // blocking updateReportedProperties would time out for reasons outside Gatehouse.
                client.updateReportedPropertiesAsync(reported, (status, response, error, context) -> { }, null);
                JsonNode stored = reportedProperties(gatehouse, "firmware");
                assertThat(stored.path("firmware").asText()).as(stored.toString()).isEqualTo("1.2");
                assertThat(stored.path("$version").asLong()).as(stored.toString()).isEqualTo(2);
                assertThat(desiredPatches).as("no desired patch before the operator's").isEmpty();

                HttpResponse<String> patched = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + gatehouse.httpPort() + "/api/twins/edge1/modules/sdkModule"))
                        .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"properties\":{\"desired\":{\"threshold\":9}}}"))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(patched.statusCode()).as(patched.body()).isEqualTo(200);
                TwinCollection desired = desiredPatches.poll(15, TimeUnit.SECONDS);
                assertThat(desired).as("the desired patch in the SDK's callback; gateway log:\n%s", logTail(gatehouse))
                        .isNotNull();
                // Gson reads every JSON number as a double
                assertThat(desired.get("threshold")).isInstanceOf(Number.class);
                assertThat(((Number) desired.get("threshold")).intValue()).as(desired.toString()).isEqualTo(9);
                assertThat(desired.getVersion()).as("desired $version of the patch").isEqualTo(2);

                BlockingQueue<String> methodCalls = new LinkedBlockingQueue<>();
                client.subscribeToMethods((method, payload, context) -> {
                    methodCalls.add(method + " " + payload.getPayloadAsJsonString());
                    return "reset".equals(method)
                            ? new DirectMethodResponse(200, Map.of("done", true))
                            : new DirectMethodResponse(404, Map.of("unknown", method));
                }, null, SDK_TIMEOUT_MILLIS);
                GatehouseProcess.CliResult answered = gatehouse.cli("method", "invoke", "edge1", "--module", "sdkModule",
                        "reset", "--payload", "{\"level\":3}");
                assertThat(answered.exitCode()).as("%s%s", answered.out(), answered.err()).isZero();
                assertThat(answered.out()).startsWith("status 200").contains("done");
                String call = methodCalls.poll(5, TimeUnit.SECONDS);
                assertThat(call).as("the method call the SDK's callback saw").startsWith("reset ");
                assertThat(JSON.readTree(call.substring("reset ".length())))
                        .isEqualTo(JSON.readTree("{\"level\":3}"));

                sendsToAnOutputRoutedToAnotherModule(gatehouse, client, sinkKey);
            } catch (IotHubClientException e) {
                throw new AssertionError("the SDK: " + e.getMessage() + " (" + e.getStatusCode() + "); gateway log:\n"
                        + logTail(gatehouse), e);
            } finally {
                client.close();
            }
        }
    }

    /** The route takes the SDK module's output to the sink module's input, stamped with the sender. */
    private static void sendsToAnOutputRoutedToAnotherModule(GatehouseProcess gatehouse, ModuleClient client,
            String sinkKey) throws Exception {
        try (HubClient sink = HubClient.connect(gatehouse.mqttPort(), "edge1/sink", sinkKey)) {
            sink.mqtt.subscribe("devices/edge1/modules/sink/inputs/#", 1);
            com.microsoft.azure.sdk.iot.device.Message alert = new com.microsoft.azure.sdk.iot.device.Message(
                    "{\"overheat\":true}".getBytes(StandardCharsets.UTF_8));
            alert.setProperty("severity", "high");
            BlockingQueue<String> sent = new LinkedBlockingQueue<>();
            client.sendEventAsync(alert, (message, error, context) -> sent.add(error == null ? "ok" : error.toString()),
                    null, "alerts");
            assertThat(sent.poll(15, TimeUnit.SECONDS)).as("the SDK's send callback").isEqualTo("ok");
            HubClient.Received r = sink.received.poll(15, TimeUnit.SECONDS);
            assertThat(r).as("the sink's input; gateway log:\n%s", logTail(gatehouse)).isNotNull();
            InputMessage in = InputMessage.of(r);
            assertThat(in.module()).isEqualTo("sink");
            assertThat(in.input()).isEqualTo("fromSdk");
            assertThat(in.property("$.cdid")).isEqualTo("edge1");
            assertThat(in.property("$.cmid")).isEqualTo("sdkModule");
            assertThat(in.property("severity")).isEqualTo("high");
            assertThat(JSON.readTree(in.body()).path("overheat").asBoolean()).isTrue();
        }
    }

    /** The module's reported properties once they hold {@code name}, or as they are after 10 s. */
    private static JsonNode reportedProperties(GatehouseProcess gatehouse, String name) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        JsonNode reported;
        do {
            reported = ManagementApi.get(gatehouse, "/api/twins/edge1/modules/sdkModule").path("properties")
                    .path("reported");
            if (reported.has(name)) return reported;
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        return reported;
    }

    private static String logTail(GatehouseProcess gatehouse) throws Exception {
        String log = gatehouse.logText();
        return log.length() > 8000 ? log.substring(log.length() - 8000) : log;
    }

    /**
     * {@code getTwin}, asked a second time if SDK 2.5.0 reports a timeout: the gateway answers a GET
     * within milliseconds, and the SDK now and then loses an answer that overtakes its own bookkeeping
     * of the request (CI saw it once in six runs; the same race as its PATCH's 204, see above). The
     * second request must be answered like the first; a gateway that does not answer still fails.
     */
    private static Twin getTwin(ModuleClient client) throws Exception {
        try {
            return client.getTwin(SDK_TIMEOUT_MILLIS);
        } catch (IotHubClientException e) {
            if (e.getStatusCode() != com.microsoft.azure.sdk.iot.device.IotHubStatusCode.DEVICE_OPERATION_TIMED_OUT) throw e;
            System.out.println("[itest] SDK getTwin timed out once (" + e.getMessage() + "); asking again");
            return client.getTwin(SDK_TIMEOUT_MILLIS);
        }
    }
}
