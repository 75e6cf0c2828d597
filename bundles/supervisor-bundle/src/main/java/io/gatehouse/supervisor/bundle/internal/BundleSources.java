package io.gatehouse.supervisor.bundle.internal;

import io.gatehouse.api.module.ModuleRuntimeException;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Turns a module's {@code settings.location} into a jar on local disk. The framework itself never
 * fetches anything: the runtime reads the bytes and hands them over.
 */
final class BundleSources {

    /** A scheme of two letters or more, so that a Windows drive ("C:") stays a path. */
    private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]+:.*");

    private final SupervisorSettings settings;
    private final HttpDownloader http;
    private final MavenResolver maven;

    BundleSources(SupervisorSettings settings) {
        this.settings = settings;
        this.http = new HttpDownloader(settings.downloadTimeout());
        this.maven = new MavenResolver(settings, http);
    }

    BundleSource fetch(String location) throws ModuleRuntimeException {
        if (MavenCoordinates.isCoordinates(location)) {
            MavenCoordinates artifact = MavenCoordinates.parse(location);
            return new BundleSource(maven.resolve(artifact), artifact.toString(), false);
        }
        if (SCHEME.matcher(location).matches()) {
            URI uri;
            try {
                uri = new URI(location);
            } catch (URISyntaxException e) {
                throw new ModuleRuntimeException("location '" + Urls.redact(location) + "' is not a valid URL: "
                        + e.getReason());
            }
            String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
            switch (scheme) {
                case "file":
                    return local(fileOf(uri, location), location);
                case "http":
                case "https":
                    return download(uri);
                default:
                    throw new ModuleRuntimeException("location '" + Urls.redact(location) + "' has the scheme '"
                            + scheme + "'; use a path, a file:, http: or https: URL, or mvn: coordinates");
            }
        }
        Path path;
        try {
            path = Path.of(location);
        } catch (InvalidPathException e) {
            throw new ModuleRuntimeException("location '" + location + "' is not a valid path: " + e.getReason());
        }
        return local(path, location);
    }

    private static Path fileOf(URI uri, String location) throws ModuleRuntimeException {
        try {
            return Path.of(uri);
        } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            throw new ModuleRuntimeException("location '" + location + "' is not a usable file: URL (" + e.getMessage()
                    + "); write file:/absolute/path.jar");
        }
    }

    private static BundleSource local(Path path, String shown) throws ModuleRuntimeException {
        if (!Files.exists(path)) {
            throw new ModuleRuntimeException("location '" + shown + "': " + path.toAbsolutePath() + " does not exist");
        }
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw new ModuleRuntimeException("location '" + shown + "': " + path.toAbsolutePath()
                    + " is not a readable file");
        }
        return new BundleSource(path, shown, false);
    }

    private BundleSource download(URI uri) throws ModuleRuntimeException {
        String shown = Urls.redact(uri);
        Path partial = null;
        try {
            Files.createDirectories(settings.downloads());
            partial = Files.createTempFile(settings.downloads(), "bundle-", ".jar");
            http.download(uri, partial);
            return new BundleSource(partial, shown, true);
        } catch (IOException e) {
            if (partial != null) {
                try {
                    Files.deleteIfExists(partial);
                } catch (IOException ignored) {
                    // left in the downloads directory
                }
            }
            throw new ModuleRuntimeException("location '" + shown + "': " + e.getMessage());
        }
    }
}
