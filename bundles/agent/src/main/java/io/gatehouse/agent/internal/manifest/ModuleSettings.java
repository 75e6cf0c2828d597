package io.gatehouse.agent.internal.manifest;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A module's {@code settings}.
 *
 * @param image the image reference, the tag defaulted to {@code latest}; null when the module's type
 *        needs none and the manifest gives none
 * @param createOptions the joined {@code createOptions} chunks as compact JSON of an object;
 *        {@code "{}"} when absent, {@code ""} or {@code "null"}, so those compare equal
 * @param digest the image digest, or null
 * @param other every other key, as plain values (String, Number, Boolean, List, Map, null), for
 *        runtimes other than Docker (e.g. {@code command} for {@code process})
 */
public record ModuleSettings(String image, String createOptions, String digest, Map<String, Object> other) {

    public static final String EMPTY_CREATE_OPTIONS = "{}";

    public ModuleSettings {
        Objects.requireNonNull(createOptions, "createOptions");
        // other may hold JSON nulls, which Map.copyOf refuses
        other = Collections.unmodifiableMap(new LinkedHashMap<>(other));
    }

    /**
     * The settings as a runtime receives them in a {@code ModuleSpec}: {@code image},
     * {@code createOptions} (the joined JSON string) and {@code digest} only when set, then every
     * other key.
     */
    public Map<String, Object> asPlainValues() {
        Map<String, Object> values = new LinkedHashMap<>();
        if (image != null) values.put("image", image);
        if (!createOptions.equals(EMPTY_CREATE_OPTIONS)) values.put("createOptions", createOptions);
        if (digest != null) values.put("digest", digest);
        values.putAll(other);
        return Collections.unmodifiableMap(values);
    }
}
