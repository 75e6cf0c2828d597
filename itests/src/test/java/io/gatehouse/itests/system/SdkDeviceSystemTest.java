package io.gatehouse.itests.system;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.azure.sdk.iot.device.ClientOptions;
import com.microsoft.azure.sdk.iot.device.DeviceClient;
import com.microsoft.azure.sdk.iot.device.IotHubClientProtocol;
import com.microsoft.azure.sdk.iot.device.IotHubMessageResult;
import com.microsoft.azure.sdk.iot.device.Message;
import com.microsoft.azure.sdk.iot.device.auth.IotHubSSLContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A leaf device written with the Azure IoT device SDK for Java (2.x, over MQTT with TLS and over
 * AMQPS, to the gateway) sends telemetry that the gateway routes, and receives the cloud-to-device
 * messages the operator sends with {@code gatehouse c2d send} — including one sent while it was
 * offline, which the gateway kept for it.
 */
class SdkDeviceSystemTest {
    private static final int SDK_TIMEOUT_MILLIS = 15_000;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = IotHubClientProtocol.class, names = {"MQTT", "AMQPS"})
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void anSdkDeviceSendsTelemetryAndReceivesCloudToDeviceMessages(IotHubClientProtocol protocol) throws Exception {
        try (GatehouseProcess gatehouse = new GatehouseProcess(dir)) {
            // the SDK connects to port 8883 (MQTT) or 5671 (AMQPS) of its host, whatever else is configured
            gatehouse.putEnvironment("GATEHOUSE_MQTT_TLS_PORT", "8883");
            gatehouse.putEnvironment("GATEHOUSE_AMQPS_PORT", "5671");
            gatehouse.putEnvironment("GATEHOUSE_HOSTNAME", "127.0.0.1");
            gatehouse.start();
            String deviceKey = OperatorCli.addIdentity(gatehouse, "thermo1");
            String sinkKey = OperatorCli.addIdentity(gatehouse, "edge1/sink");
            OperatorCli.deploy(gatehouse, dir, "routes", List.of(OperatorCli.Route.of("leaves",
                    "FROM /messages/* WHERE NOT is_defined($connectionModuleId) INTO BrokeredEndpoint(\"/modules/sink/inputs/telemetry\")")));

            // sent before the device ever connected: the gateway keeps it in the device's queue
            GatehouseProcess.CliResult early = gatehouse.cli("c2d", "send", "thermo1", "--property", "cmd=calibrate",
                    "--message-id", "early-1", "set point 21.5");
            assertThat(early.exitCode()).as("c2d send: %s%s", early.out(), early.err()).isZero();
            assertThat(early.out()).contains("early-1");
            assertThat(ManagementApi.get(gatehouse, "/api/devices/thermo1/messages/devicebound").path("pending").asInt())
                    .isEqualTo(1);

            // The gateway is named as the device's HostName: SDK 2.5.0 over MQTT never subscribes to
            // cloud-to-device messages when a GatewayHostName is given (it takes that for a module's edgeHub).
            // The gateway accepts tokens for its own host name as for the IoT Hub's; the SDK wants a dotted
            // name there, and the gateway's certificate names 127.0.0.1 too.
            String connectionString = "HostName=127.0.0.1;DeviceId=thermo1;SharedAccessKey=" + deviceKey;
            ClientOptions options = ClientOptions.builder()
                    .sslContext(IotHubSSLContext.getSSLContextFromFile(
                            gatehouse.dataDirectory().resolve("certs/edge-ca.pem").toString()))
                    .build();
            BlockingQueue<Message> received = new LinkedBlockingQueue<>();
            DeviceClient device = new DeviceClient(connectionString, protocol, options);
            try (HubClient sink = HubClient.connect(gatehouse.mqttPort(), "edge1/sink", sinkKey)) {
                sink.mqtt.subscribe("devices/edge1/modules/sink/inputs/#", 1);
                device.setMessageCallback((message, context) -> {
                    received.add(message);
                    return IotHubMessageResult.COMPLETE;
                }, null);
                device.open(false);

                Message telemetry = new Message("{\"temperature\":22.5}".getBytes(StandardCharsets.UTF_8));
                telemetry.setContentType("application/json");
                telemetry.setProperty("unit", "C");
                device.sendEvent(telemetry, SDK_TIMEOUT_MILLIS);
                HubClient.Received routed = sink.received.poll(20, TimeUnit.SECONDS);
                assertThat(routed).as("the SDK's telemetry at the sink").isNotNull();
                InputMessage in = InputMessage.of(routed);
                assertThat(in.property("$.cdid")).isEqualTo("thermo1");
                assertThat(in.property("unit")).isEqualTo("C");
                assertThat(in.body()).isEqualTo("{\"temperature\":22.5}");

                Message first = received.poll(20, TimeUnit.SECONDS);
                assertThat(first).as("the C2D message queued while the device was offline; gateway log:%n%s",
                        tail(gatehouse)).isNotNull();
                assertThat(new String(first.getBytes(), StandardCharsets.UTF_8)).isEqualTo("set point 21.5");
                assertThat(first.getMessageId()).isEqualTo("early-1");
                assertThat(first.getProperty("cmd")).isEqualTo("calibrate");

                GatehouseProcess.CliResult live = gatehouse.cli("c2d", "send", "thermo1", "reboot at 02:00");
                assertThat(live.exitCode()).as("c2d send: %s%s", live.out(), live.err()).isZero();
                Message second = received.poll(20, TimeUnit.SECONDS);
                assertThat(second).as("the C2D message sent while connected; gateway log:%n%s", tail(gatehouse)).isNotNull();
                assertThat(new String(second.getBytes(), StandardCharsets.UTF_8)).isEqualTo("reboot at 02:00");
                assertThat(received.poll(1, TimeUnit.SECONDS)).as("each message once").isNull();
            } finally {
                device.close();
            }
            // the SDK's completion (its PUBACK) took both out of the queue
            JsonNode pending = ManagementApi.get(gatehouse, "/api/devices/thermo1/messages/devicebound");
            assertThat(pending.path("pending").asInt()).as(pending.toString()).isZero();
        }
    }

    private static String tail(GatehouseProcess gatehouse) throws Exception {
        String log = gatehouse.logText();
        return log.substring(Math.max(0, log.length() - 5000));
    }
}
