package io.gatehouse.api.twin;

import io.gatehouse.api.identity.IdentityId;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Told when an identity's desired properties change (whiteboard): the MQTT and AMQP heads send the
 * patch to that client if it is connected and subscribed, as IoT Hub does; nobody queues it for an
 * absent client, which reads the whole twin when it comes back.
 */
@ConsumerType
public interface DesiredPropertiesListener {

    /**
     * @param patchJson the change as a JSON merge patch, with {@code "$version": version} in it
     */
    void desiredChanged(IdentityId id, String patchJson, long version);
}
