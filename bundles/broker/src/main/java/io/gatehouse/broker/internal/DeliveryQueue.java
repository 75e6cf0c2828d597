package io.gatehouse.broker.internal;

import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.route.EndpointIds;
import io.gatehouse.api.store.StoredMessage;
import java.util.function.Function;

/**
 * What a {@link QueueDelivery} serves a connection from: the store queue(s) it consumes and the
 * topic each message is published on. A connection is served either its module inputs (a module)
 * or its cloud-to-device messages (a device), never both.
 *
 * @param endpoint the endpoint id, or prefix ending with {@code /}, passed to {@code MessageStore.consume}
 * @param description what is delivered, for log lines
 * @param topic the publish topic of a stored message; throws {@link IllegalArgumentException} when
 *        the message cannot be rendered as one (it is then dead-lettered)
 */
record DeliveryQueue(String endpoint, String description, Function<StoredMessage, String> topic) {

    /** {@code devices/{d}/modules/{m}/inputs/{input}/{bag}} from the module's input queues. */
    static DeliveryQueue moduleInputs(IdentityId module) {
        return new DeliveryQueue(EndpointIds.moduleInputPrefix(module.deviceId(), module.moduleId()),
                "inputs of " + module, m -> {
                    String input = EndpointIds.inputName(m.endpointId());
                    if (input == null) {
                        throw new IllegalArgumentException("endpoint " + m.endpointId() + " is not a module input");
                    }
                    return IotHubTopics.moduleInputTopic(module, input, PropertyBag.encode(m.message()));
                });
    }

    /** {@code devices/{d}/messages/devicebound/{bag}} from the device's queue {@code $c2d/{d}}. */
    static DeliveryQueue cloudToDevice(String deviceId) {
        return new DeliveryQueue(EndpointIds.cloudToDevice(deviceId), "cloud-to-device messages of " + deviceId,
                m -> IotHubTopics.cloudToDeviceTopic(deviceId, PropertyBag.encodeCloudToDevice(m.message(), deviceId)));
    }
}
