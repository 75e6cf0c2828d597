package io.gatehouse.router.internal;

import io.gatehouse.api.message.Message;
import io.gatehouse.api.message.SystemProperties;
import java.nio.charset.StandardCharsets;

/** Test messages as the protocol heads would stamp them. */
final class Messages {
    private Messages() {
    }

    static Message.Builder fromDevice(String deviceId) {
        return Message.builder().systemProperty(SystemProperties.CONNECTION_DEVICE_ID, deviceId);
    }

    static Message.Builder fromModule(String moduleId, String output) {
        return Message.builder()
                .systemProperty(SystemProperties.CONNECTION_DEVICE_ID, "edge1")
                .systemProperty(SystemProperties.CONNECTION_MODULE_ID, moduleId)
                .systemProperty(SystemProperties.OUTPUT_NAME, output);
    }

    static Message.Builder twinChange() {
        return Message.builder()
                .systemProperty(SystemProperties.CONNECTION_DEVICE_ID, "edge1")
                .systemProperty(SystemProperties.CONNECTION_MODULE_ID, "$edgeHub")
                .systemProperty(SystemProperties.MESSAGE_TYPE, "twinChangeNotification")
                .systemProperty(SystemProperties.MESSAGE_SCHEMA, "twinChangeNotification");
    }

    static Message.Builder json(Message.Builder b, String body) {
        return b.body(body.getBytes(StandardCharsets.UTF_8))
                .systemProperty(SystemProperties.CONTENT_TYPE, "application/json")
                .systemProperty(SystemProperties.CONTENT_ENCODING, "utf-8");
    }
}
