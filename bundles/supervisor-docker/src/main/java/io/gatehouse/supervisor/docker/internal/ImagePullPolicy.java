package io.gatehouse.supervisor.docker.internal;

import java.util.Optional;

/** When a module's image is pulled, as the manifest's {@code imagePullPolicy}. */
enum ImagePullPolicy {
    /** Pull when creating the container, unless the image is already present locally. */
    ON_CREATE("on-create"),
    /** Never pull: the image must already be present. */
    NEVER("never");

    private final String jsonName;

    ImagePullPolicy(String jsonName) {
        this.jsonName = jsonName;
    }

    String jsonName() {
        return jsonName;
    }

    static Optional<ImagePullPolicy> parse(String text) {
        for (ImagePullPolicy policy : values()) {
            if (policy.jsonName.equalsIgnoreCase(text.strip())) return Optional.of(policy);
        }
        return Optional.empty();
    }
}
