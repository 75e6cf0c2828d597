package io.gatehouse.upstream.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.api.identity.IdentityId;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reported properties the parent last took for each mirrored module, on disk
 * ({@code reported/{id}.json}), so that a restart neither sends everything again nor forgets
 * what changed while the link was down. Each file is written to a temporary file, forced, and
 * renamed over the old one.
 */
final class PushedReports {
    static final String DIRECTORY = "reported";
    private static final Logger LOG = LoggerFactory.getLogger(PushedReports.class);

    /** The local reported {@code $version} the parent took, and the document at that version. */
    record Pushed(long version, ObjectNode reported) {
    }

    private final Path directory;
    private final ObjectMapper json;

    PushedReports(Path stateDirectory, ObjectMapper json) {
        this.directory = stateDirectory.resolve(DIRECTORY);
        this.json = json;
    }

    /** What was last pushed for {@code id}, or null when nothing was (or the file is unreadable: then it is logged). */
    Pushed load(IdentityId id) {
        Path file = file(id);
        if (!Files.exists(file)) return null;
        try {
            JsonNode root = json.readTree(file.toFile());
            JsonNode version = root == null ? null : root.get("version");
            JsonNode reported = root == null ? null : root.get("reported");
            if (version == null || !version.canConvertToLong() || reported == null || !reported.isObject()) {
                throw new IOException("it lacks version or reported");
            }
            return new Pushed(version.asLong(), (ObjectNode) reported);
        } catch (IOException e) {
            LOG.warn("{} is unreadable ({}); the reported properties of {} will be compared with the parent's twin",
                    file, e.getMessage(), id);
            return null;
        }
    }

    void save(IdentityId id, Pushed pushed) throws IOException {
        Files.createDirectories(directory);
        ObjectNode root = json.createObjectNode();
        root.put("id", id.toString());
        root.put("version", pushed.version());
        root.set("reported", pushed.reported());
        Path file = file(id);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(ByteBuffer.wrap(json.writeValueAsBytes(root)));
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Forgets a module that is gone, so one registered again later starts from the parent's twin. */
    void forget(IdentityId id) {
        try {
            Files.deleteIfExists(file(id));
        } catch (IOException e) {
            LOG.debug("cannot delete {}", file(id), e);
        }
    }

    /** One file per identity; the id is URL-encoded, so {@code /} and {@code $} cannot escape the directory. */
    Path file(IdentityId id) {
        return directory.resolve(URLEncoder.encode(id.toString(), StandardCharsets.UTF_8) + ".json");
    }
}
