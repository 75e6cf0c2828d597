package io.gatehouse.twin.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.api.identity.IdentityId;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JSON file per identity in a directory. A write goes to a temporary file, is forced to disk
 * and renamed over the old one, so a crash leaves either the old or the new twin, never half.
 */
final class TwinFiles {
    private static final Logger LOG = LoggerFactory.getLogger(TwinFiles.class);
    static final String SUFFIX = ".json";
    static final String DAMAGED_SUFFIX = ".damaged";

    private final Path directory;
    private final ObjectMapper mapper;

    TwinFiles(Path directory, ObjectMapper mapper) {
        this.directory = directory;
        this.mapper = mapper;
    }

    Path directory() {
        return directory;
    }

    /** URL-encoded, so "edge1/tempSensor" becomes "edge1%2FtempSensor.json"; '*' too, for portability. */
    Path fileOf(IdentityId id) {
        String encoded = URLEncoder.encode(id.toString(), StandardCharsets.UTF_8).replace("*", "%2A");
        return directory.resolve(encoded + SUFFIX);
    }

    /**
     * The stored twin, or an empty one when there is no file. A file that cannot be read as a twin
     * is moved aside and the twin starts empty: one bad file must not take every twin down.
     */
    TwinDocument load(IdentityId id) throws IOException {
        Path file = fileOf(id);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return TwinDocument.empty();
        }
        try {
            return parse(bytes);
        } catch (IOException | RuntimeException e) {
            Path aside = file.resolveSibling(file.getFileName() + DAMAGED_SUFFIX);
            LOG.error("Twin file {} of {} is damaged ({}); moved to {}, the twin starts empty",
                    file, id, reason(e), aside.getFileName());
            Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
            return TwinDocument.empty();
        }
    }

    /** Jackson's full message quotes the file's content, which does not belong in a log. */
    private static String reason(Exception e) {
        return e instanceof JsonProcessingException json ? json.getOriginalMessage() : e.getMessage();
    }

    private TwinDocument parse(byte[] bytes) throws IOException {
        JsonNode root = mapper.readTree(bytes);
        if (root == null || !root.isObject()) {
            throw new IOException("not a JSON object");
        }
        return new TwinDocument(object(root, "desired"), version(root, "desiredVersion"),
                object(root, "reported"), version(root, "reportedVersion"));
    }

    private static ObjectNode object(JsonNode root, String field) throws IOException {
        JsonNode node = root.get(field);
        if (node == null || !node.isObject()) {
            throw new IOException("\"" + field + "\" is missing or not an object");
        }
        return (ObjectNode) node;
    }

    private static long version(JsonNode root, String field) throws IOException {
        JsonNode node = root.get(field);
        if (node == null || !node.canConvertToLong() || !node.isIntegralNumber() || node.longValue() < 1) {
            throw new IOException("\"" + field + "\" is missing or not a positive integer");
        }
        return node.longValue();
    }

    void save(IdentityId id, TwinDocument twin) throws IOException {
        ObjectNode root = mapper.createObjectNode();
        root.set("desired", twin.desired());
        root.put("desiredVersion", twin.desiredVersion());
        root.set("reported", twin.reported());
        root.put("reportedVersion", twin.reportedVersion());
        byte[] bytes = mapper.writeValueAsBytes(root);

        Files.createDirectories(directory);
        Path file = fileOf(id);
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
        try {
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        forceDirectory();
    }

    /** Returns whether there was a file. */
    boolean delete(IdentityId id) throws IOException {
        boolean existed = Files.deleteIfExists(fileOf(id));
        if (existed) {
            forceDirectory();
        }
        return existed;
    }

    /** Makes the rename itself durable; not every platform lets a directory be opened, which is harmless. */
    private void forceDirectory() {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            LOG.trace("Cannot force directory {}: {}", directory, e.getMessage());
        }
    }
}
