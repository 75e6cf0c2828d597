package io.gatehouse.supervisor.bundle.internal;

import io.gatehouse.api.module.ModuleRuntimeException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds an artifact without pax-url: the local repository, then the runtime's own cache, then
 * each remote repository in turn. A download is kept in the cache, so a gateway restarted
 * offline can still create the module.
 */
final class MavenResolver {

    private static final Logger LOG = LoggerFactory.getLogger(MavenResolver.class);

    private final SupervisorSettings settings;
    private final HttpDownloader http;

    MavenResolver(SupervisorSettings settings, HttpDownloader http) {
        this.settings = settings;
        this.http = http;
    }

    Path resolve(MavenCoordinates artifact) throws ModuleRuntimeException {
        String relative = artifact.repositoryPath();
        List<String> looked = new ArrayList<>();
        if (settings.localRepository() != null) {
            Path local = settings.localRepository().resolve(relative);
            if (Files.isRegularFile(local)) return local;
            looked.add("not in the local repository " + settings.localRepository());
        }
        Path cached = settings.artifactCache().resolve(relative);
        if (Files.isRegularFile(cached)) return cached;
        looked.add("not in the cache " + settings.artifactCache());
        if (settings.repositories().isEmpty()) {
            looked.add("no remote repository is configured (offline)");
        }
        for (URI repository : settings.repositories()) {
            URI uri = URI.create(repository + "/" + relative);
            try {
                download(uri, cached);
                LOG.info("Downloaded {} from {}", artifact, Urls.redact(repository));
                return cached;
            } catch (HttpDownloader.NotFoundException e) {
                looked.add("not in " + Urls.redact(repository));
            } catch (IOException e) {
                looked.add(e.getMessage());
            }
        }
        throw new ModuleRuntimeException("cannot find " + artifact + ": " + String.join("; ", looked));
    }

    private void download(URI uri, Path target) throws IOException {
        Files.createDirectories(settings.downloads());
        Path partial = Files.createTempFile(settings.downloads(), "artifact-", ".part");
        try {
            http.downloadVerified(uri, partial);
            Files.createDirectories(target.getParent());
            try {
                Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(partial);
        }
    }
}
