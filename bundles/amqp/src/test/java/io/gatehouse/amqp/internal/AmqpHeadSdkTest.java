package io.gatehouse.amqp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.azure.sdk.iot.device.ClientOptions;
import com.microsoft.azure.sdk.iot.device.DeviceClient;
import com.microsoft.azure.sdk.iot.device.IotHubClientProtocol;
import com.microsoft.azure.sdk.iot.device.IotHubMessageResult;
import com.microsoft.azure.sdk.iot.device.IotHubStatusCode;
import com.microsoft.azure.sdk.iot.device.ModuleClient;
import com.microsoft.azure.sdk.iot.device.exceptions.IotHubClientException;
import com.microsoft.azure.sdk.iot.device.twin.DirectMethodResponse;
import com.microsoft.azure.sdk.iot.device.twin.Twin;
import com.microsoft.azure.sdk.iot.device.twin.TwinCollection;
import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.message.Message;
import io.gatehouse.api.method.MethodRequest;
import io.gatehouse.api.method.MethodResult;
import io.gatehouse.api.message.SystemProperties;
import io.gatehouse.api.route.EndpointIds;
import io.gatehouse.api.route.RouteTarget;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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
 * The Azure IoT device SDK for Java 2.5.0 over AMQPS against the head: SAS tokens over CBS, an
 * X.509 device (no SASL, no CBS: its TLS certificate, pinned by thumbprint), telemetry,
 * cloud-to-device messages, module inputs, twins and direct methods. The SDK always dials port 5671, so the
 * head listens there (on loopback); the test is skipped, saying so, if another process holds it.
 */
class AmqpHeadSdkTest {
    static final String HUB = "hub.example.net";
    static final IdentityId D1 = IdentityId.device("sdk-d1");
    static final IdentityId M1 = IdentityId.module("sdk-d1", "sdk-m1");
    static final IdentityId M2 = IdentityId.module("sdk-d1", "sdk-m2");
    static final IdentityId X1 = IdentityId.device("sdk-x1");
    static final String KEY1 = "c2RrLWQxLWtleS1zZGstZDEta2V5LXNkay1kMS1rZXk=";
    static final String KEYM = "c2RrLW0xLWtleS1zZGstbTEta2V5LXNkay1tMS1rZXk=";
    static final String KEYM2 = "c2RrLW0yLWtleS1zZGstbTIta2V5LXNkay1tMi1rZXk=";

    static InMemoryStore store = new InMemoryStore();
    static AllToRouter router = new AllToRouter(EndpointIds.UPSTREAM);
    static InMemoryTwinStore twins = new InMemoryTwinStore();
    static AmqpHead head;
    static TestCertificates certificates;
    static TestCertificates.ClientCertificate certificateX1;

    @BeforeAll
    static void start() throws Exception {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress("127.0.0.1", 5671));
        } catch (Exception e) {
            Assumptions.abort("port 5671 is taken on this machine, and the SDK dials only 5671: " + e);
        }
        certificates = TestCertificates.issue();
        certificateX1 = TestCertificates.selfSigned("sdk-x1");
        head = new AmqpHead();
        head.bindAuthenticator(new SasAuthenticator().register(D1, KEY1).register(M1, KEYM).register(M2, KEYM2)
                .registerThumbprint(X1, certificateX1.sha256Thumbprint()));
        head.bindTwinStore(twins.addListener(head));
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

            List<Message> stored = store.messagesOf(EndpointIds.UPSTREAM).stream()
                    .filter(s -> "sdk-d1".equals(s.systemProperty(SystemProperties.CONNECTION_DEVICE_ID))
                            && s.systemProperty(SystemProperties.CONNECTION_MODULE_ID) == null).toList();
            assertThat(stored).hasSize(1);
            Message m = stored.get(0);
            assertThat(m.systemProperty(SystemProperties.CONNECTION_AUTH_METHOD)).isEqualTo("sas");
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
    void anX509DeviceClientIsAuthenticatedByItsCertificateSendsTelemetryAndReceivesCloudToDeviceMessages() throws Exception {
        BlockingQueue<com.microsoft.azure.sdk.iot.device.Message> received = new LinkedBlockingQueue<>();
        // the SDK takes the device's key and certificate from the SSLContext; it skips SASL and CBS with x509=true
        DeviceClient client = new DeviceClient("HostName=" + HUB + ";DeviceId=sdk-x1;x509=true;GatewayHostName=127.0.0.1",
                IotHubClientProtocol.AMQPS, ClientOptions.builder().sslContext(certificates.clientContext(certificateX1)).build());
        client.setMessageCallback((message, context) -> {
            received.add(message);
            return IotHubMessageResult.COMPLETE;
        }, null);
        client.open(false);
        try {
            com.microsoft.azure.sdk.iot.device.Message telemetry = new com.microsoft.azure.sdk.iot.device.Message("{\"pressure\":3}");
            telemetry.setMessageId("sdk-x509-1");
            client.sendEvent(telemetry, 10_000);
            Message m = store.messagesOf(EndpointIds.UPSTREAM).stream()
                    .filter(s -> "sdk-x509-1".equals(s.systemProperty(SystemProperties.MESSAGE_ID))).findFirst().orElseThrow();
            assertThat(new String(m.body(), StandardCharsets.UTF_8)).isEqualTo("{\"pressure\":3}");
            assertThat(m.systemProperty(SystemProperties.CONNECTION_DEVICE_ID)).isEqualTo("sdk-x1");
            assertThat(m.systemProperty(SystemProperties.CONNECTION_AUTH_METHOD)).isEqualTo("selfSigned");

            String c2d = EndpointIds.cloudToDevice("sdk-x1");
            store.append(Message.builder().body("calibrate".getBytes(StandardCharsets.UTF_8))
                    .systemProperty(SystemProperties.MESSAGE_ID, "c2d-x1").build(), List.of(new RouteTarget(c2d, 0, -1)));
            com.microsoft.azure.sdk.iot.device.Message got = received.poll(10, TimeUnit.SECONDS);
            assertThat(got).isNotNull();
            assertThat(new String(got.getBytes(), StandardCharsets.UTF_8)).isEqualTo("calibrate");
            long deadline = System.currentTimeMillis() + 5000;
            while (store.acknowledgedOf(c2d) == 0 && System.currentTimeMillis() < deadline) Thread.sleep(20);
            assertThat(store.acknowledgedOf(c2d)).isEqualTo(1);
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

    @Test
    void aModuleClientReadsAndPatchesItsTwinGetsDesiredPatchesAndAnswersDirectMethods() throws Exception {
        twins.patchDesired(M2, "{\"threshold\":5}");
        ModuleClient client = new ModuleClient(connectionString(M2, KEYM2), IotHubClientProtocol.AMQPS, options());
        client.open(false);
        try {
            BlockingQueue<TwinCollection> desiredPatches = new LinkedBlockingQueue<>();
            // SDK 2.x refuses getTwin (IllegalStateException, nothing sent) before this subscription
            client.subscribeToDesiredProperties((patch, context) -> desiredPatches.add(patch.getDesiredProperties()), null, 10_000);

            Twin twin = getTwin(client);
            assertThat(twin.getDesiredProperties().getVersion()).isEqualTo(2);
            // Gson reads every JSON number as a double
            assertThat(((Number) twin.getDesiredProperties().get("threshold")).intValue()).isEqualTo(5);
            assertThat(twin.getReportedProperties().getVersion()).isEqualTo(1);

            TwinCollection reported = new TwinCollection();
            reported.put("firmware", "1.2");
            // Async, and the twin store is the proof: the head answers 204 with version 2 (TwinLinkTest), but
            // SDK 2.5.0 now and then loses that answer itself (its reactor thread looks up the callback after its
            // receive thread may have removed it), so a blocking updateReportedProperties would time out for
            // reasons outside the head (seen 3 times in 30 patches here, every answer received)
            client.updateReportedPropertiesAsync(reported, (status, response, error, context) -> { }, null);
            long deadline = System.currentTimeMillis() + 10_000;
            while (twins.get(M2).reportedVersion() < 2 && System.currentTimeMillis() < deadline) Thread.sleep(20);
            assertThat(twins.get(M2).reportedJson()).isEqualTo("{\"firmware\":\"1.2\"}");
            assertThat(twins.get(M2).reportedVersion()).isEqualTo(2);
            assertThat(desiredPatches).as("no desired patch before the operator's").isEmpty();

            twins.patchDesired(M2, "{\"threshold\":9}");
            TwinCollection desired = desiredPatches.poll(10, TimeUnit.SECONDS);
            assertThat(desired).as("the desired patch in the SDK's callback").isNotNull();
            assertThat(((Number) desired.get("threshold")).intValue()).isEqualTo(9);
            assertThat(desired.getVersion()).isEqualTo(3);

            BlockingQueue<String> methodCalls = new LinkedBlockingQueue<>();
            client.subscribeToMethods((method, payload, context) -> {
                methodCalls.add(method + " " + payload.getPayloadAsJsonString());
                return "reset".equals(method)
                        ? new DirectMethodResponse(200, Map.of("done", true))
                        : new DirectMethodResponse(404, Map.of("unknown", method));
            }, null, 10_000);
            assertThat(head.holds(M2)).isTrue();
            MethodResult result = head.invoke(new MethodRequest(M2, "reset", "{\"level\":3}", Duration.ofSeconds(10),
                    Duration.ofSeconds(5))).toCompletableFuture().get(15, TimeUnit.SECONDS);
            assertThat(result.status()).isEqualTo(200);
            assertThat(result.payloadJson()).isEqualTo("{\"done\":true}");
            assertThat(methodCalls.poll(1, TimeUnit.SECONDS)).isEqualTo("reset {\"level\":3}");

            MethodResult unknown = head.invoke(new MethodRequest(M2, "fly", "{}", Duration.ofSeconds(10), Duration.ZERO))
                    .toCompletableFuture().get(15, TimeUnit.SECONDS);
            assertThat(unknown.status()).isEqualTo(404);
            assertThat(unknown.payloadJson()).isEqualTo("{\"unknown\":\"fly\"}");
        } finally {
            client.close();
        }
        long closedBy = System.currentTimeMillis() + 5000;
        while (head.holds(M2) && System.currentTimeMillis() < closedBy) Thread.sleep(20);
        assertThat(head.holds(M2)).as("not held once the client closed").isFalse();
    }

    /** Asks once more when SDK 2.5.0 lost the head's answer (the race above); a head that does not answer still fails. */
    static Twin getTwin(ModuleClient client) throws Exception {
        try {
            return client.getTwin(5_000);
        } catch (IotHubClientException e) {
            if (e.getStatusCode() != IotHubStatusCode.DEVICE_OPERATION_TIMED_OUT) throw e;
            return client.getTwin(5_000);
        }
    }
}
