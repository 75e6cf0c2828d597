package io.gatehouse.supervisor.docker.internal;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An image reference split the way the Docker engine splits it: the registry host (Docker Hub when
 * the first path segment does not look like a host), the repository, and a tag or a digest.
 *
 * @param registry the registry host, lower case, e.g. {@code docker.io}, {@code myacr.azurecr.io},
 *        {@code localhost:5000}
 * @param repository the repository as written in the reference, registry included when it was
 * @param tag the tag, or null when the reference pins a digest
 * @param digest the digest ({@code sha256:…}), or null
 */
record ImageReference(String registry, String repository, String tag, String digest) {

    static final String DOCKER_HUB = "docker.io";
    static final String DEFAULT_TAG = "latest";
    /** Names Docker Hub goes by in credentials and configuration files. */
    private static final Set<String> DOCKER_HUB_ALIASES = Set.of(DOCKER_HUB, "index.docker.io",
            "registry-1.docker.io", "registry.hub.docker.com");
    private static final Pattern REPOSITORY = Pattern.compile("[a-z0-9]+(?:[._-]+[a-z0-9]+)*"
            + "(?:/[a-z0-9]+(?:[._-]+[a-z0-9]+)*)*");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.-]+(?::[0-9]+)?");
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    private static final Pattern DIGEST = Pattern.compile("[A-Za-z0-9_+.-]+:[A-Za-z0-9=_-]+");

    /**
     * Parses {@code image}; {@code digest}, when not null, pins the image as the settings'
     * {@code digest} key does (it replaces the tag).
     *
     * @throws IllegalArgumentException with the reason, when the reference is not one Docker takes
     */
    static ImageReference parse(String image, String digest) {
        if (image == null || image.isBlank()) throw new IllegalArgumentException("the image reference is empty");
        String rest = image.strip();
        String pinned = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            pinned = rest.substring(at + 1);
            rest = rest.substring(0, at);
        }
        if (digest != null) pinned = digest.strip();
        if (pinned != null && !DIGEST.matcher(pinned).matches()) {
            throw new IllegalArgumentException("'" + pinned + "' is not an image digest such as sha256:…");
        }
        String tag = null;
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
            if (!TAG.matcher(tag).matches()) throw new IllegalArgumentException("'" + tag + "' is not a valid tag");
        }
        String registry = DOCKER_HUB;
        String path = rest;
        int slash = rest.indexOf('/');
        if (slash > 0) {
            String first = rest.substring(0, slash);
            // Docker's own rule: the first segment is a registry host if it could not be a repository name
            if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
                if (!HOST.matcher(first).matches()) {
                    throw new IllegalArgumentException("'" + first + "' is not a registry host");
                }
                registry = first.toLowerCase(Locale.ROOT);
                path = rest.substring(slash + 1);
            }
        }
        if (!REPOSITORY.matcher(path).matches()) {
            throw new IllegalArgumentException("'" + path + "' is not a repository name (lower-case letters, digits,"
                    + " separators '.', '_', '-' and '/')");
        }
        if (pinned != null) tag = null;
        else if (tag == null) tag = DEFAULT_TAG;
        return new ImageReference(registry, rest, tag, pinned);
    }

    /** The reference the engine is given: {@code repository:tag} or {@code repository@digest}. */
    String reference() {
        return digest != null ? repository + "@" + digest : repository + ":" + tag;
    }

    /** What a pull asks for besides the repository: the tag, or the digest. */
    String tagOrDigest() {
        return digest != null ? digest : tag;
    }

    /** Whether a credential given for {@code address} is meant for this image's registry. */
    boolean isServedBy(String address) {
        String host = hostOf(address);
        if (host.isEmpty()) return false;
        if (host.equals(registry)) return true;
        return DOCKER_HUB_ALIASES.contains(registry) && DOCKER_HUB_ALIASES.contains(host);
    }

    /** The host of a registry address, written as a host, host:port or a URL. */
    static String hostOf(String address) {
        String s = address.strip().toLowerCase(Locale.ROOT);
        int scheme = s.indexOf("://");
        if (scheme >= 0) s = s.substring(scheme + 3);
        int slash = s.indexOf('/');
        if (slash >= 0) s = s.substring(0, slash);
        return s;
    }

    @Override
    public String toString() {
        return reference();
    }
}
