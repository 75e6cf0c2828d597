package io.gatehouse.agent.internal.manifest;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Docker image references as the reference accepts them ({@code (repo/)*image(:tag)?}, optionally
 * with a {@code @digest}); a reference without a tag or digest gets {@code :latest}.
 */
final class ImageReference {

    static final String DEFAULT_TAG = "latest";
    // Registry host segments may carry a port (host:5000/) or be $upstream:443/ for nested edge.
    private static final Pattern IMAGE = Pattern.compile(
            "(?:[^/\\s]+/)*[^/:@\\s]+(?::[^/:@\\s]+)?(?:@[A-Za-z0-9_+.-]+:[A-Za-z0-9=_-]+)?");

    private ImageReference() {
    }

    /** The normalised reference, or empty when {@code image} is not one. */
    static Optional<String> normalise(String image) {
        String s = image.strip();
        if (s.isEmpty() || !IMAGE.matcher(s).matches()) return Optional.empty();
        String last = s.substring(s.lastIndexOf('/') + 1);
        if (last.indexOf(':') < 0 && last.indexOf('@') < 0) s = s + ":" + DEFAULT_TAG;
        return Optional.of(s);
    }
}
