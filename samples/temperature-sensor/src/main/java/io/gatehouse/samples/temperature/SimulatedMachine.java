package io.gatehouse.samples.temperature;

import java.time.Instant;
import java.util.random.RandomGenerator;

/**
 * A machine that heats up from room temperature to its maximum and cools down again, in random
 * steps, so routes with a condition on {@code machine.temperature} see values on both sides of a
 * threshold. Pressure follows the temperature; the room stays near 21 °C and 25 % humidity.
 */
public final class SimulatedMachine {

    static final double MIN_TEMPERATURE = 20.0;
    static final double MAX_TEMPERATURE = 100.0;
    static final double MIN_PRESSURE = 1.0;
    static final double MAX_PRESSURE = 10.0;
    static final double AMBIENT_TEMPERATURE = 21.0;
    static final double AMBIENT_HUMIDITY = 25.0;

    private final RandomGenerator random;
    private double temperature = AMBIENT_TEMPERATURE;
    private boolean heating = true;

    public SimulatedMachine(RandomGenerator random) {
        this.random = random;
    }

    /** The next reading: the machine has moved one step since the last. */
    public Reading next(Instant now) {
        double step = 0.5 + random.nextDouble() * 1.5;
        temperature += heating ? step : -step;
        if (temperature >= MAX_TEMPERATURE) {
            temperature = MAX_TEMPERATURE;
            heating = false;
        } else if (temperature <= MIN_TEMPERATURE) {
            temperature = MIN_TEMPERATURE;
            heating = true;
        }
        double load = (temperature - MIN_TEMPERATURE) / (MAX_TEMPERATURE - MIN_TEMPERATURE);
        double pressure = clamp(MIN_PRESSURE + load * (MAX_PRESSURE - MIN_PRESSURE) + noise(0.1),
                MIN_PRESSURE, MAX_PRESSURE);
        return new Reading(round(temperature), round(pressure), round(AMBIENT_TEMPERATURE + noise(0.5)),
                round(AMBIENT_HUMIDITY + noise(1.0)), now);
    }

    /** Uniform in [-amplitude, amplitude). */
    private double noise(double amplitude) {
        return (random.nextDouble() * 2 - 1) * amplitude;
    }

    private static double clamp(double value, double min, double max) {
        return Math.max(min, Math.min(max, value));
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }
}
