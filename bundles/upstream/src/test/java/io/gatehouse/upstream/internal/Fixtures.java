package io.gatehouse.upstream.internal;

import static org.assertj.core.api.Assertions.fail;

import io.gatehouse.api.message.Message;
import io.gatehouse.api.message.SystemProperties;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.osgi.util.converter.Converters;

/** Configurations, messages and waiting, shared by the tests. */
final class Fixtures {
    /** A base64 key standing for the edge device's. */
    static final String DEVICE_KEY = "c2VjcmV0LWtleS1vZi10aGUtZWRnZS1kZXZpY2U=";

    private Fixtures() {
    }

    static UpstreamComponent.Config config(Map<String, Object> values) {
        return Converters.standardConverter().convert(values).to(UpstreamComponent.Config.class);
    }

    /** Plain MQTT to the local Mosquitto, fast timeouts. */
    static Map<String, Object> mqtt(Mosquitto parent, String deviceId, Path state) {
        Map<String, Object> m = new HashMap<>();
        m.put("hostName", "127.0.0.1");
        m.put("port", parent.port);
        m.put("protocol", "mqtt");
        m.put("deviceKey", DEVICE_KEY);
        m.put("deviceId", deviceId);
        m.put("operationTimeoutSecs", 5);
        m.put("reconnectMaxDelaySecs", 1);
        m.put("reportIntervalSecs", 1);
        m.put("stateDirectory", state.toString());
        return m;
    }

    /** Plain AMQP to the test parent, fast timeouts. */
    static Map<String, Object> amqp(AmqpParent parent, String deviceId, Path state) {
        Map<String, Object> m = new HashMap<>();
        m.put("hostName", "127.0.0.1");
        m.put("port", parent.port);
        m.put("protocol", "amqp");
        m.put("deviceKey", DEVICE_KEY);
        m.put("deviceId", deviceId);
        m.put("operationTimeoutSecs", 5);
        m.put("reconnectMaxDelaySecs", 1);
        m.put("reportIntervalSecs", 1);
        m.put("stateDirectory", state.toString());
        return m;
    }

    static Message message(String device, String module, String messageId, String body) {
        return Message.builder().body(body.getBytes(StandardCharsets.UTF_8))
                .systemProperty(SystemProperties.CONNECTION_DEVICE_ID, device)
                .systemProperty(SystemProperties.CONNECTION_MODULE_ID, module)
                .systemProperty(SystemProperties.MESSAGE_ID, messageId).build();
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        await(what, condition, () -> "");
    }

    static void await(String what, BooleanSupplier condition, Supplier<Object> state) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) fail("timed out waiting until " + what + "; state: " + state.get());
            Thread.sleep(20);
        }
    }
}
