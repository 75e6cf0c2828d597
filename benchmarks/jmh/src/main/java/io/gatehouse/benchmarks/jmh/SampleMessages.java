package io.gatehouse.benchmarks.jmh;

import io.gatehouse.api.message.Message;
import io.gatehouse.api.message.SystemProperties;
import java.nio.charset.StandardCharsets;

/** The telemetry message the benchmarks route: what a device on a production line sends. */
final class SampleMessages {
    static final int BODY_BYTES = 256;

    private SampleMessages() {
    }

    /** 256 bytes of UTF-8 JSON (temperature 31.7, so {@code $body.temperature > 30} is true). */
    static byte[] body() {
        String json = "{\"deviceId\":\"press-07\",\"line\":\"A7\",\"temperature\":31.7,\"pressure\":101.32,"
                + "\"humidity\":48.5,\"status\":\"running\",\"vibration\":{\"x\":0.012,\"y\":0.008,\"z\":0.021},"
                + "\"counters\":[1023,77,4],\"ts\":\"2024-05-01T12:00:00.000Z\",\"pad\":\"\"}";
        int missing = BODY_BYTES - json.getBytes(StandardCharsets.UTF_8).length;
        if (missing < 0) throw new IllegalStateException("sample body longer than " + BODY_BYTES + " bytes");
        byte[] body = json.replace("\"pad\":\"\"", "\"pad\":\"" + "x".repeat(missing) + "\"").getBytes(StandardCharsets.UTF_8);
        if (body.length != BODY_BYTES) throw new IllegalStateException("sample body is " + body.length + " bytes");
        return body;
    }

    /** A leaf device's telemetry as the MQTT head stamps it: JSON, utf-8, application property line. */
    static Message telemetry() {
        return Message.builder()
                .body(body())
                .systemProperty(SystemProperties.MESSAGE_ID, "7f1c2a90-5d3e-4b8a-9c61-2f0e8d4b7a13")
                .systemProperty(SystemProperties.CONTENT_TYPE, "application/json")
                .systemProperty(SystemProperties.CONTENT_ENCODING, "utf-8")
                .systemProperty(SystemProperties.CONNECTION_DEVICE_ID, "press-07")
                .systemProperty(SystemProperties.CONNECTION_AUTH_METHOD, "{\"scope\":\"device\",\"type\":\"sas\"}")
                .systemProperty(SystemProperties.ENQUEUED_TIME, "1714564800000")
                .systemProperty(SystemProperties.EDGE_MESSAGE_ID, "e1-000000000042")
                .property("line", "A7")
                .property("site", "north")
                .property("shift", "2")
                .build();
    }
}
