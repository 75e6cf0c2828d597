package io.gatehouse.api.identity;

import java.util.Objects;

/**
 * The id of a device ({@code moduleId == null}) or of a module of a device. Its string form is
 * {@code deviceId} or {@code deviceId/moduleId}, the MQTT client id of that identity.
 */
public record IdentityId(String deviceId, String moduleId) {

    public IdentityId {
        Objects.requireNonNull(deviceId, "deviceId");
        if (moduleId != null && moduleId.isEmpty()) {
            moduleId = null;
        }
    }

    public static IdentityId device(String deviceId) {
        return new IdentityId(deviceId, null);
    }

    public static IdentityId module(String deviceId, String moduleId) {
        return new IdentityId(deviceId, Objects.requireNonNull(moduleId, "moduleId"));
    }

    /** Parses {@code device} or {@code device/module}. */
    public static IdentityId parse(String text) {
        int slash = text.indexOf('/');
        return slash < 0 ? device(text) : module(text.substring(0, slash), text.substring(slash + 1));
    }

    public boolean isModule() {
        return moduleId != null;
    }

    @Override
    public String toString() {
        return moduleId == null ? deviceId : deviceId + "/" + moduleId;
    }
}
