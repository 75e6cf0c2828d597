package io.gatehouse.samples.temperature;

import java.time.Instant;

/**
 * One simulated measurement.
 *
 * @param machineTemperature °C
 * @param machinePressure bar
 * @param ambientTemperature °C
 * @param ambientHumidity % relative humidity
 * @param timeCreated when it was taken
 */
public record Reading(double machineTemperature, double machinePressure, double ambientTemperature,
                      double ambientHumidity, Instant timeCreated) {
}
