package io.gatehouse.upstream.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The desired versions of the last deployment taken from the twins, on disk
 * ({@code applied-twins.json}), so a restart does not apply it again. Written to a temporary file,
 * forced, and renamed over the old one.
 */
final class AppliedTwins {
    static final String FILE_NAME = "applied-twins.json";
    private static final Logger LOG = LoggerFactory.getLogger(AppliedTwins.class);

    /** The {@code $version}s of the {@code $edgeAgent} and {@code $edgeHub} desired properties. */
    record Versions(long edgeAgent, long edgeHub) {
    }

    private final Path file;
    private final ObjectMapper json;

    AppliedTwins(Path directory, ObjectMapper json) {
        this.file = directory.resolve(FILE_NAME);
        this.json = json;
    }

    /** The last applied pair, or null when none was (or the file is unreadable: then it is logged). */
    Versions load() {
        if (!Files.exists(file)) return null;
        try {
            JsonNode root = json.readTree(file.toFile());
            JsonNode agent = root == null ? null : root.get("edgeAgentDesiredVersion");
            JsonNode hub = root == null ? null : root.get("edgeHubDesiredVersion");
            if (agent == null || hub == null || !agent.canConvertToLong() || !hub.canConvertToLong()) {
                throw new IOException("it lacks edgeAgentDesiredVersion or edgeHubDesiredVersion");
            }
            return new Versions(agent.asLong(), hub.asLong());
        } catch (IOException e) {
            LOG.warn("{} is unreadable ({}); the deployment in the twins will be applied again", file, e.getMessage());
            return null;
        }
    }

    void save(Versions versions) throws IOException {
        Files.createDirectories(file.getParent());
        ObjectNode root = json.createObjectNode();
        root.put("edgeAgentDesiredVersion", versions.edgeAgent());
        root.put("edgeHubDesiredVersion", versions.edgeHub());
        Path tmp = file.resolveSibling(FILE_NAME + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(java.nio.ByteBuffer.wrap(json.writeValueAsBytes(root)));
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
