package io.gatehouse.api.identity;

/**
 * A registered device or module with its symmetric keys (base64). Keys are secrets: never log
 * them; {@link #toString()} leaves them out.
 *
 * @param edgeDevice whether the device is an edge gateway (IoT Hub's {@code capabilities.iotEdge}):
 *        such a device may connect on behalf of the identities in its scope. Always false for a
 *        module.
 * @param parentDeviceId the edge device whose scope this device belongs to (it connects through
 *        that gateway), or null when it connects to this hub directly. Always null for a module:
 *        a module is in the scope of its device.
 */
public record Identity(IdentityId id, String primaryKey, String secondaryKey, boolean edgeDevice,
        String parentDeviceId) {

    public Identity {
        if (parentDeviceId != null && parentDeviceId.isEmpty()) parentDeviceId = null;
    }

    /** A device or module that connects to this hub directly and is not an edge device. */
    public Identity(IdentityId id, String primaryKey, String secondaryKey) {
        this(id, primaryKey, secondaryKey, false, null);
    }

    @Override
    public String toString() {
        return "Identity[" + id + (edgeDevice ? ", edge" : "")
                + (parentDeviceId == null ? "" : ", parent " + parentDeviceId) + "]";
    }
}
