package io.gatehouse.supervisor.bundle.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The runtime's configuration, checked once.
 *
 * @param localRepository a Maven local repository read first, or null for none
 * @param cacheDirectory holds downloaded artifacts, module records and downloads in progress
 * @param repositories remote Maven repositories, tried in order; empty means offline
 */
record SupervisorSettings(Path localRepository, Path cacheDirectory, List<URI> repositories,
        Duration downloadTimeout) {

    SupervisorSettings {
        repositories = List.copyOf(repositories);
    }

    /** Downloaded artifacts, in the Maven repository layout. */
    Path artifactCache() {
        return cacheDirectory.resolve("repository");
    }

    /** One record and one lifecycle log per module. */
    Path moduleRecords() {
        return cacheDirectory.resolve("modules");
    }

    /** Files being downloaded; moved into place only when complete. */
    Path downloads() {
        return cacheDirectory.resolve("downloads");
    }

    static SupervisorSettings of(BundleModuleRuntime.Config config) {
        String pid = BundleModuleRuntime.PID;
        String cache = config.cacheDirectory();
        if (cache == null || cache.isBlank()) {
            throw new IllegalArgumentException("configuration " + pid + ": 'cacheDirectory' must not be empty");
        }
        if (config.downloadTimeoutSeconds() < 1) {
            throw new IllegalArgumentException("configuration " + pid + ": 'downloadTimeoutSeconds' must be at least 1,"
                    + " was " + config.downloadTimeoutSeconds());
        }
        Path local = null;
        String localText = config.localRepository();
        if (localText != null && !localText.isBlank()) {
            // metatype defaults are not interpolated, so the documented default is expanded here
            String expanded = localText.trim().replace("${user.home}", System.getProperty("user.home", "."));
            local = path(pid, "localRepository", expanded);
        }
        List<URI> repositories = new ArrayList<>();
        String[] entries = config.repositories() == null ? new String[0] : config.repositories();
        for (String entry : entries) {
            if (entry == null) continue;
            // a .cfg file gives a list as one comma-separated string
            for (String text : entry.split(",")) {
                if (!text.isBlank()) repositories.add(repository(pid, text.trim()));
            }
        }
        return new SupervisorSettings(local, path(pid, "cacheDirectory", cache.trim()), repositories,
                Duration.ofSeconds(config.downloadTimeoutSeconds()));
    }

    private static Path path(String pid, String key, String text) {
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("configuration " + pid + ": '" + key + "' is not a valid path: "
                    + e.getReason());
        }
    }

    private static URI repository(String pid, String text) {
        String problem = "configuration " + pid + ": repository '" + Urls.redact(text) + "' ";
        URI uri;
        try {
            uri = new URI(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(problem + "is not a valid URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw new IllegalArgumentException(problem + "must be an http:// or https:// URL");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException(problem + "must not have a query or fragment");
        }
        return uri;
    }
}
