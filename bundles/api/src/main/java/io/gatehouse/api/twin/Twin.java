package io.gatehouse.api.twin;

import java.util.Objects;

/**
 * One twin as IoT Hub's twin GET answers it: {@code {"desired": {…, "$version": n}, "reported":
 * {…, "$version": m}}}.
 *
 * @param desiredJson the desired properties as a JSON object, without {@code $version}
 * @param desiredVersion 1 for a twin nobody changed yet, then one more for every change
 * @param reportedJson the reported properties as a JSON object, without {@code $version}
 * @param reportedVersion as {@code desiredVersion}, for the reported properties
 */
public record Twin(String desiredJson, long desiredVersion, String reportedJson, long reportedVersion) {
    public Twin {
        Objects.requireNonNull(desiredJson, "desiredJson");
        Objects.requireNonNull(reportedJson, "reportedJson");
    }
}
