package io.gatehouse.samples.temperature;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.microsoft.azure.sdk.iot.device.Message;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TelemetryMessagesTest {

    private static final Instant NOW = Instant.parse("2025-03-04T05:06:07.891Z");

    @Test
    void bodyHasTheSimulatedTemperatureSensorShape() {
        Reading reading = new Reading(42.5, 3.25, 21.3, 24.75, NOW);

        JsonObject body = JsonParser.parseString(TelemetryMessages.json(reading)).getAsJsonObject();

        assertThat(body.keySet()).containsExactlyInAnyOrder("machine", "ambient", "timeCreated");
        JsonObject machine = body.getAsJsonObject("machine");
        JsonObject ambient = body.getAsJsonObject("ambient");
        assertThat(machine.keySet()).containsExactlyInAnyOrder("temperature", "pressure");
        assertThat(ambient.keySet()).containsExactlyInAnyOrder("temperature", "humidity");
        assertThat(machine.get("temperature").getAsDouble()).isEqualTo(42.5);
        assertThat(machine.get("pressure").getAsDouble()).isEqualTo(3.25);
        assertThat(ambient.get("temperature").getAsDouble()).isEqualTo(21.3);
        assertThat(ambient.get("humidity").getAsDouble()).isEqualTo(24.75);
        assertThat(Instant.parse(body.get("timeCreated").getAsString())).isEqualTo(NOW);
    }

    @Test
    void messageIsUtf8JsonForRoutesToQuery() {
        Reading reading = new Reading(42.5, 3.25, 21.3, 24.75, NOW);

        Message message = TelemetryMessages.message(reading);

        assertThat(message.getContentType()).isEqualTo("application/json");
        assertThat(message.getContentEncoding()).isEqualTo("utf-8");
        assertThat(new String(message.getBytes(), StandardCharsets.UTF_8)).isEqualTo(TelemetryMessages.json(reading));
        assertThat(message.getOutputName()).as("the output is set when sending").isNull();
    }

    @Test
    void timeCreatedKeepsMillisecondsOnly() {
        Reading reading = new Reading(30, 2, 21, 25, Instant.parse("2025-03-04T05:06:07.891234567Z"));

        JsonObject body = JsonParser.parseString(TelemetryMessages.json(reading)).getAsJsonObject();

        assertThat(body.get("timeCreated").getAsString()).isEqualTo("2025-03-04T05:06:07.891Z");
    }

    @Test
    void readingsStayPlausibleThroughHeatingAndCooling() {
        SimulatedMachine machine = new SimulatedMachine(new Random(7));
        List<Reading> readings = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) readings.add(machine.next(NOW.plusSeconds(i)));

        for (Reading r : readings) {
            assertThat(r.machineTemperature()).isBetween(20.0, 100.0);
            assertThat(r.machinePressure()).isBetween(1.0, 10.0);
            assertThat(r.ambientTemperature()).isCloseTo(21.0, within(0.5));
            assertThat(r.ambientHumidity()).isCloseTo(25.0, within(1.0));
            JsonObject body = JsonParser.parseString(TelemetryMessages.json(r)).getAsJsonObject();
            assertThat(body.getAsJsonObject("machine").get("temperature").getAsDouble()).isEqualTo(r.machineTemperature());
        }
        // the machine reaches its maximum and cools again, so threshold routes see both sides
        assertThat(readings).anyMatch(r -> r.machineTemperature() == 100.0);
        assertThat(readings.get(readings.size() - 1).machineTemperature()).isLessThan(100.0);
        assertThat(readings).anyMatch(r -> r.machineTemperature() < 30.0 && readings.indexOf(r) > 100);
        // pressure follows temperature
        Reading hot = readings.stream().filter(r -> r.machineTemperature() == 100.0).findFirst().orElseThrow();
        assertThat(hot.machinePressure()).isGreaterThan(9.0);
        assertThat(readings.get(0).machinePressure()).isLessThan(2.0);
    }

    @Test
    void consecutiveReadingsMoveInSmallSteps() {
        SimulatedMachine machine = new SimulatedMachine(new Random(11));
        Reading previous = machine.next(NOW);
        for (int i = 1; i < 500; i++) {
            Reading next = machine.next(NOW.plusSeconds(i));
            assertThat(Math.abs(next.machineTemperature() - previous.machineTemperature())).isBetween(0.0, 2.01);
            previous = next;
        }
    }
}
