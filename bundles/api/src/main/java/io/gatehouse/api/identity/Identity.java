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
 * @param primaryThumbprint the SHA-1 (40 hex digits) or SHA-256 (64) thumbprint of a self-signed
 *        X.509 certificate the identity may authenticate with instead of a SAS token (reference
 *        §6.3), upper case without separators; null when none. Thumbprints are not secrets.
 * @param secondaryThumbprint a second such thumbprint (for rolling certificates), or null
 */
public record Identity(IdentityId id, String primaryKey, String secondaryKey, boolean edgeDevice,
        String parentDeviceId, String primaryThumbprint, String secondaryThumbprint) {

    public Identity {
        if (parentDeviceId != null && parentDeviceId.isEmpty()) parentDeviceId = null;
        primaryThumbprint = normalizedThumbprint(primaryThumbprint);
        secondaryThumbprint = normalizedThumbprint(secondaryThumbprint);
    }

    /** An identity that authenticates with SAS tokens only. */
    public Identity(IdentityId id, String primaryKey, String secondaryKey, boolean edgeDevice,
            String parentDeviceId) {
        this(id, primaryKey, secondaryKey, edgeDevice, parentDeviceId, null, null);
    }

    /** A device or module that connects to this hub directly and is not an edge device. */
    public Identity(IdentityId id, String primaryKey, String secondaryKey) {
        this(id, primaryKey, secondaryKey, false, null);
    }

    /** The same identity with other thumbprints. */
    public Identity withThumbprints(String primary, String secondary) {
        return new Identity(id, primaryKey, secondaryKey, edgeDevice, parentDeviceId, primary, secondary);
    }

    /** Upper case, without the colons or spaces tools print between bytes; blank is none. */
    private static String normalizedThumbprint(String thumbprint) {
        if (thumbprint == null) return null;
        String t = thumbprint.replace(":", "").replace(" ", "").strip().toUpperCase(java.util.Locale.ROOT);
        return t.isEmpty() ? null : t;
    }

    @Override
    public String toString() {
        return "Identity[" + id + (edgeDevice ? ", edge" : "")
                + (parentDeviceId == null ? "" : ", parent " + parentDeviceId)
                + (primaryThumbprint == null && secondaryThumbprint == null ? "" : ", x509") + "]";
    }
}
