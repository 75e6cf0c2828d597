package io.gatehouse.management.internal;

import io.gatehouse.api.identity.Identity;

/**
 * Builds the connection string a device or module SDK is given, in the form IoT Edge uses for a
 * client behind a gateway: it authenticates against {@code HostName} and connects to
 * {@code GatewayHostName}.
 */
public record ConnectionStrings(String iotHubHostName, String gatewayHostName) {

    public String of(Identity identity) {
        StringBuilder s = new StringBuilder()
                .append("HostName=").append(iotHubHostName)
                .append(";DeviceId=").append(identity.id().deviceId());
        if (identity.id().isModule()) {
            s.append(";ModuleId=").append(identity.id().moduleId());
        }
        return s.append(";SharedAccessKey=").append(identity.primaryKey())
                .append(";GatewayHostName=").append(gatewayHostName)
                .toString();
    }
}
