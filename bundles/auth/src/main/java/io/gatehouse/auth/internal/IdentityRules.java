package io.gatehouse.auth.internal;

import io.gatehouse.api.identity.Identity;
import io.gatehouse.api.identity.IdentityId;
import java.util.Base64;
import java.util.Set;

/**
 * IoT Hub's rules for identity ids and symmetric keys. Every message says what to change, and
 * none repeats a key.
 */
final class IdentityRules {

    static final int MAX_ID_LENGTH = 128;
    static final int MIN_KEY_BYTES = 16;
    static final int MAX_KEY_BYTES = 64;

    private static final String SPECIAL_ID_CHARS = "-.+%_#*?!(),:=@$'";
    private static final Set<String> SYSTEM_MODULES = Set.of("$edgeAgent", "$edgeHub");

    private IdentityRules() {
    }

    static void checkId(IdentityId id) {
        if (id == null) {
            throw new IllegalArgumentException("an identity id is required");
        }
        checkIdPart("device id", id.deviceId());
        if (id.isModule()) {
            checkIdPart("module id", id.moduleId());
            if (id.moduleId().startsWith("$") && !SYSTEM_MODULES.contains(id.moduleId())) {
                throw new IllegalArgumentException("module id " + LogSafe.quote(id.moduleId())
                        + " starts with '$', which is reserved for $edgeAgent and $edgeHub");
            }
        }
    }

    /**
     * The rules a single identity must follow wherever it comes from: its id, both keys, and the
     * edge capability and parent (a module has neither; a device is not its own parent).
     */
    static void checkIdentity(Identity identity) {
        if (identity == null) {
            throw new IllegalArgumentException("an identity is required");
        }
        checkId(identity.id());
        checkKey("primaryKey", identity.primaryKey());
        checkKey("secondaryKey", identity.secondaryKey());
        checkThumbprint("primary thumbprint", identity.primaryThumbprint());
        checkThumbprint("secondary thumbprint", identity.secondaryThumbprint());
        checkEdgeAndParent(identity.id(), identity.edgeDevice(), identity.parentDeviceId());
    }

    private static void checkThumbprint(String what, String thumbprint) {
        if (thumbprint == null) return;
        String failure = CertificateThumbprints.formatFailure(thumbprint);
        if (failure != null) throw new IllegalArgumentException("the X.509 " + what + " " + failure);
    }

    static void checkEdgeAndParent(IdentityId id, boolean edgeDevice, String parentDeviceId) {
        String who = LogSafe.quote(id.toString());
        if (id.isModule() && edgeDevice) {
            throw new IllegalArgumentException("module " + who + " cannot be an edge device; only a device can");
        }
        if (id.isModule() && parentDeviceId != null) {
            throw new IllegalArgumentException("module " + who + " cannot have a parent; a module is in the scope "
                    + "of its device " + LogSafe.quote(id.deviceId()));
        }
        if (parentDeviceId == null) {
            return;
        }
        checkIdPart("parent device id", parentDeviceId);
        if (parentDeviceId.equals(id.deviceId())) {
            throw new IllegalArgumentException("device " + who + " cannot be its own parent");
        }
    }

    private static void checkIdPart(String what, String value) {
        if (value.isEmpty()) {
            throw new IllegalArgumentException(what + " must not be empty");
        }
        if (value.length() > MAX_ID_LENGTH) {
            throw new IllegalArgumentException(what + " is " + value.length()
                    + " characters long; at most " + MAX_ID_LENGTH + " are allowed");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!isIdChar(c)) {
                throw new IllegalArgumentException(what + " " + LogSafe.quote(value)
                        + " contains " + describe(c) + " at position " + (i + 1)
                        + "; allowed are ASCII letters, digits and " + SPECIAL_ID_CHARS);
            }
        }
    }

    private static boolean isIdChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || SPECIAL_ID_CHARS.indexOf(c) >= 0;
    }

    private static String describe(char c) {
        return c > 0x20 && c < 0x7f ? "'" + c + "'" : String.format("the character U+%04X", (int) c);
    }

    /** @return the decoded key */
    static byte[] checkKey(String name, String base64Key) {
        if (base64Key == null || base64Key.isEmpty()) {
            throw new IllegalArgumentException(name + " must not be empty");
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(base64Key);
        } catch (IllegalArgumentException notBase64) {
            throw new IllegalArgumentException(name + " is not valid base64 (standard alphabet A-Z a-z 0-9 + /, "
                    + "'=' padding)");
        }
        if (key.length < MIN_KEY_BYTES || key.length > MAX_KEY_BYTES) {
            throw new IllegalArgumentException(name + " decodes to " + key.length + " bytes; a key must be "
                    + MIN_KEY_BYTES + " to " + MAX_KEY_BYTES + " bytes (for example 32 random bytes, base64)");
        }
        return key;
    }
}
