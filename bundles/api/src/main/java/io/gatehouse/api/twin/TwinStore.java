package io.gatehouse.api.twin;

import io.gatehouse.api.identity.IdentityId;
import java.io.IOException;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The twins of the identities on this gateway, stored durably. Patches follow JSON merge-patch
 * rules (a {@code null} removes a property) and are checked against IoT Hub's limits: depth at
 * most 10, a property name at most 1024 bytes, a string value at most 4096 bytes, integers within
 * ±2^52, no {@code null} inside arrays, a whole side at most 32 KiB. A refused patch changes
 * nothing. Every change is on disk before the call returns.
 */
@ProviderType
public interface TwinStore {

    /** Checks a patch or a whole desired document as the writing calls do, changing nothing. */
    void validate(String json) throws InvalidTwinException;

    /** The identity's twin; an identity nobody wrote to has empty properties at version 1. */
    Twin get(IdentityId id) throws IOException;

    /** Merges a reported patch (a JSON object); returns the new reported {@code $version}. */
    long patchReported(IdentityId id, String patchJson) throws InvalidTwinException, IOException;

    /**
     * Merges a desired patch (a JSON object); returns the new desired {@code $version}. Every
     * {@link DesiredPropertiesListener} is told.
     */
    long patchDesired(IdentityId id, String patchJson) throws InvalidTwinException, IOException;

    /**
     * Replaces the desired properties whole (a deployment's {@code properties.desired} for a
     * module); the listeners get the difference as a patch. Returns the new desired
     * {@code $version}, or the old one when nothing changed.
     */
    long replaceDesired(IdentityId id, String desiredJson) throws InvalidTwinException, IOException;

    /** Forgets the identity's twin; returns whether it had one. */
    boolean remove(IdentityId id) throws IOException;
}
