package io.gatehouse.management.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The description of PID {@code io.gatehouse.hub}, the settings several bundles share. Components
 * that read it list it as a second configuration PID, which bnd does not let them designate, so
 * the description is declared once here, for consoles and validation.
 */
@ObjectClassDefinition(pid = "io.gatehouse.hub", name = "Gatehouse hub",
        description = "Names of this gateway, shared by authentication, routing and management")
@interface HubSettings {
    @AttributeDefinition(description = "This edge device's id; module input endpoints are {deviceId}/{module}/{input}")
    String deviceId() default "edge1";

    @AttributeDefinition(description = "The IoT hub host name in SAS audiences, usernames and connection strings")
    String iotHubHostName() default "gatehouse.local";

    @AttributeDefinition(description = "The gateway's host name; also accepted as SAS audience host")
    String gatewayHostName() default "localhost";
}
