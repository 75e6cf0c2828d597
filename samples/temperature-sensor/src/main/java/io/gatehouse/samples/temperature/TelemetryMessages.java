package io.gatehouse.samples.temperature;

import com.microsoft.azure.sdk.iot.device.Message;
import java.nio.charset.StandardCharsets;
import java.time.temporal.ChronoUnit;

/** Turns readings into the IoT Hub messages this module sends to its output. */
public final class TelemetryMessages {

    /** The module's output; routes select it with {@code FROM /messages/modules/{module}/outputs/temperatureOutput}. */
    public static final String OUTPUT = "temperatureOutput";
    static final String CONTENT_TYPE = "application/json";
    static final String CONTENT_ENCODING = "utf-8";

    private TelemetryMessages() {
    }

    /**
     * {@code {"machine":{"temperature":..,"pressure":..},"ambient":{"temperature":..,"humidity":..},"timeCreated":"…"}}.
     * Written by hand: six numbers and a timestamp need no JSON library, and none of them needs escaping.
     */
    public static String json(Reading reading) {
        return "{\"machine\":{\"temperature\":" + number(reading.machineTemperature())
                + ",\"pressure\":" + number(reading.machinePressure())
                + "},\"ambient\":{\"temperature\":" + number(reading.ambientTemperature())
                + ",\"humidity\":" + number(reading.ambientHumidity())
                + "},\"timeCreated\":\"" + reading.timeCreated().truncatedTo(ChronoUnit.MILLIS) + "\"}";
    }

    /**
     * The message for one reading. Content type and encoding let routes query the body
     * ({@code WHERE $body.machine.temperature > 90}), as IoT Hub requires.
     */
    public static Message message(Reading reading) {
        Message message = new Message(json(reading).getBytes(StandardCharsets.UTF_8));
        message.setContentType(CONTENT_TYPE);
        message.setContentEncoding(CONTENT_ENCODING);
        return message;
    }

    private static String number(double value) {
        if (!Double.isFinite(value)) throw new IllegalArgumentException("not a JSON number: " + value);
        return Double.toString(value);
    }
}
