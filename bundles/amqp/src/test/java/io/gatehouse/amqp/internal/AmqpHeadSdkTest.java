package io.gatehouse.amqp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.azure.sdk.iot.device.ClientOptions;
import com.microsoft.azure.sdk.iot.device.DeviceClient;
import com.microsoft.azure.sdk.iot.device.IotHubClientProtocol;
import com.microsoft.azure.sdk.iot.device.IotHubMessageResult;
import com.microsoft.azure.sdk.iot.device.ModuleClient;
import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.message.Message;
import io.gatehouse.api.message.SystemProperties;
import io.gatehouse.api.route.EndpointIds;
import io.gatehouse.api.route.RouteTarget;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Azure IoT device SDK for Java 2.5.0 over AMQPS against the head: SAS tokens over CBS,
 * telemetry, cloud-to-device messages and module inputs. The SDK always dials port 5671, so the
 * head listens there (on loopback); the test is skipped, saying so, if another process holds it.
 */
class AmqpHeadSdkTest {
    static final String HUB = "hub.example.net";
    static final IdentityId D1 = IdentityId.device("sdk-d1");
    static final IdentityId M1 = IdentityId.module("sdk-d1", "sdk-m1");
    static final String KEY1 = "c2RrLWQxLWtleS1zZGstZDEta2V5LXNkay1kMS1rZXk=";
    static final String KEYM = "c2RrLW0xLWtleS1zZGstbTEta2V5LXNkay1tMS1rZXk=";

    static InMemoryStore store = new InMemoryStore();
    static AllToRouter router = new AllToRouter(EndpointIds.UPSTREAM);
    static AmqpHead head;
    static TestCertificates certificates;

    @BeforeAll
    static void start() throws Exception {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress("127.0.0.1", 5671));
        } catch (Exception e) {
            Assumptions.abort("port 5671 is taken on this machine, and the SDK dials only 5671: " + e);
        }
        certificates = TestCertificates.issue();
        head = new AmqpHead();
        head.bindAuthenticator(new SasAuthenticator().register(D1, KEY1).register(M1, KEYM));
        head.bindRouter(router);
        head.bindStore(store);
        head.bindEdgeCertificates(certificates);
        head.activate(Configs.of(AmqpHead.Config.class, Map.of("port", -1, "tlsPort", 5671, "tlsHost", "127.0.0.1",
                "ioThreads", 2)));
        assertThat(head.boundTlsPort()).isEqualTo(5671);
    }

    @AfterAll
    static void stop() {
        if (head != null) head.deactivate();
    }

    static ClientOptions options() throws Exception {
        return ClientOptions.builder().sslContext(certificates.clientContext()).build();
    }

    static String connectionString(IdentityId id, String key) {
        return "HostName=" + HUB + ";DeviceId=" + id.deviceId() + (id.isModule() ? ";ModuleId=" + id.moduleId() : "")
                + ";SharedAccessKey=" + key + ";GatewayHostName=127.0.0.1";
    }

    @Test
    void aDeviceClientSendsTelemetryAndReceivesAndCompletesCloudToDeviceMessages() throws Exception {
        BlockingQueue<com.microsoft.azure.sdk.iot.device.Message> received = new LinkedBlockingQueue<>();
        DeviceClient client = new DeviceClient(connectionString(D1, KEY1), IotHubClientProtocol.AMQPS, options());
        client.setMessageCallback((message, context) -> {
            received.add(message);
            return IotHubMessageResult.COMPLETE;
        }, null);
        client.open(false);
        try {
            com.microsoft.azure.sdk.iot.device.Message telemetry = new com.microsoft.azure.sdk.iot.device.Message("{\"temperature\":21.5}");
            telemetry.setProperty("alert", "high");
            telemetry.setMessageId("sdk-message-1");
            telemetry.setContentType("application/json");
            client.sendEvent(telemetry, 10_000);

            List<Message> stored = store.messagesOf(EndpointIds.UPSTREAM);
            assertThat(stored).hasSize(1);
            Message m = stored.get(0);
            assertThat(new String(m.body(), StandardCharsets.UTF_8)).isEqualTo("{\"temperature\":21.5}");
            assertThat(m.systemProperty(SystemProperties.CONNECTION_DEVICE_ID)).isEqualTo("sdk-d1");
            assertThat(m.systemProperty(SystemProperties.CONNECTION_MODULE_ID)).isNull();
            assertThat(m.systemProperty(SystemProperties.MESSAGE_ID)).isEqualTo("sdk-message-1");
            assertThat(m.systemProperty(SystemProperties.CONTENT_TYPE)).isEqualTo("application/json");
            assertThat(m.properties()).containsEntry("alert", "high");

            String c2d = EndpointIds.cloudToDevice("sdk-d1");
            store.append(Message.builder().body("open the valve".getBytes(StandardCharsets.UTF_8))
                    .systemProperty(SystemProperties.MESSAGE_ID, "c2d-1").property("valve", "3").build(),
                    List.of(new RouteTarget(c2d, 0, -1)));
            com.microsoft.azure.sdk.iot.device.Message got = received.poll(10, TimeUnit.SECONDS);
            assertThat(got).isNotNull();
            assertThat(new String(got.getBytes(), StandardCharsets.UTF_8)).isEqualTo("open the valve");
            assertThat(got.getMessageId()).isEqualTo("c2d-1");
            assertThat(got.getProperty("valve")).isEqualTo("3");
            long deadline = System.currentTimeMillis() + 5000;
            while (store.acknowledgedOf(c2d) == 0 && System.currentTimeMillis() < deadline) Thread.sleep(20);
            assertThat(store.acknowledgedOf(c2d)).as("completing acknowledges it in the store").isEqualTo(1);
            assertThat(store.pending(c2d)).isZero();
        } finally {
            client.close();
        }
    }

    @Test
    void aModuleClientSendsWithItsIdentityAndReceivesItsInputs() throws Exception {
        BlockingQueue<com.microsoft.azure.sdk.iot.device.Message> received = new LinkedBlockingQueue<>();
        ModuleClient client = new ModuleClient(connectionString(M1, KEYM), IotHubClientProtocol.AMQPS, options());
        client.setMessageCallback("input1", (message, context) -> {
            received.add(message);
            return IotHubMessageResult.COMPLETE;
        }, null);
        client.open(false);
        try {
            String input = EndpointIds.moduleInput("sdk-d1", "sdk-m1", "input1");
            store.append(Message.builder().body("reading".getBytes(StandardCharsets.UTF_8))
                    .systemProperty(SystemProperties.CONNECTION_DEVICE_ID, "sensor-7")
                    .property("unit", "C").build(), List.of(new RouteTarget(input, 0, -1)));
            com.microsoft.azure.sdk.iot.device.Message got = received.poll(10, TimeUnit.SECONDS);
            assertThat(got).isNotNull();
            assertThat(new String(got.getBytes(), StandardCharsets.UTF_8)).isEqualTo("reading");
            assertThat(got.getInputName()).isEqualTo("input1");
            assertThat(got.getProperty("unit")).isEqualTo("C");
            long deadline = System.currentTimeMillis() + 5000;
            while (store.acknowledgedOf(input) == 0 && System.currentTimeMillis() < deadline) Thread.sleep(20);
            assertThat(store.acknowledgedOf(input)).isEqualTo(1);

            com.microsoft.azure.sdk.iot.device.Message out = new com.microsoft.azure.sdk.iot.device.Message("filtered");
            out.setOutputName("output1");
            client.sendEvent(out, 10_000);
            Message stored = store.messagesOf(EndpointIds.UPSTREAM).stream()
                    .filter(m -> "sdk-m1".equals(m.systemProperty(SystemProperties.CONNECTION_MODULE_ID))).findFirst().orElseThrow();
            assertThat(stored.systemProperty(SystemProperties.CONNECTION_DEVICE_ID)).isEqualTo("sdk-d1");
            assertThat(stored.systemProperty(SystemProperties.OUTPUT_NAME)).isEqualTo("output1");
        } finally {
            client.close();
        }
    }
}
