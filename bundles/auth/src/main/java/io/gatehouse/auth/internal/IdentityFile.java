package io.gatehouse.auth.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.api.identity.Identity;
import io.gatehouse.api.identity.IdentityId;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A file of identities in the registry's directory: {@code identities.json} (registered here) or
 * {@code upstream-scope.json} (learned from the parent gateway). Both hold secrets, so they are
 * owner-only where the file system has POSIX permissions, and they are replaced atomically so a
 * crash leaves either the old or the new content, never a torn file.
 */
final class IdentityFile {

    static final String FILE_NAME = "identities.json";
    static final String UPSTREAM_SCOPE_FILE_NAME = "upstream-scope.json";
    /**
     * Still 1: the edge fields are optional and written only when set, so an older bundle reads a
     * newer file (losing only the edge fields) instead of setting it aside as corrupt.
     */
    static final int FORMAT_VERSION = 1;

    private static final Logger LOG = LoggerFactory.getLogger(IdentityFile.class);
    private static final Set<PosixFilePermission> OWNER_READ_WRITE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_ONLY_DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final DateTimeFormatter ASIDE_STAMP =
            DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC);

    private final Path directory;
    private final String fileName;
    private final Path file;
    private final Path temporary;
    private final boolean parentsMustBeInFile;
    private final String emptyConsequence;
    private final Clock clock;
    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private IdentityFile(Path directory, String fileName, boolean parentsMustBeInFile, String emptyConsequence,
            Clock clock) {
        this.directory = directory;
        this.fileName = fileName;
        this.file = directory.resolve(fileName);
        this.temporary = directory.resolve(fileName + ".tmp");
        this.parentsMustBeInFile = parentsMustBeInFile;
        this.emptyConsequence = emptyConsequence;
        this.clock = clock;
    }

    /** {@code identities.json}: every parent named in it must be an edge device in it, without cycles. */
    static IdentityFile registered(Path directory, Clock clock) {
        return new IdentityFile(directory, FILE_NAME, true, "the registry starts EMPTY: no device or module can "
                + "authenticate until identities are registered again or the file is repaired and renamed back to "
                + FILE_NAME + " before the next start", clock);
    }

    /**
     * {@code upstream-scope.json}: its parents are edge devices of the upstream hierarchy (this
     * gateway among them), which need not be listed in it.
     */
    static IdentityFile upstreamScope(Path directory, Clock clock) {
        return new IdentityFile(directory, UPSTREAM_SCOPE_FILE_NAME, false, "the scope learned from the parent "
                + "gateway starts EMPTY until the parent sends it again at the next connection", clock);
    }

    Path directory() {
        return directory;
    }

    Path path() {
        return file;
    }

    /**
     * Reads the identities. A file that cannot be read as a valid identity list is renamed to
     * {@code <file name>.corrupt-<UTC time>} and an empty list is returned, so the next save
     * cannot overwrite it.
     *
     * @throws IOException if the file cannot be read, or a corrupt file cannot be set aside
     */
    List<Identity> load() throws IOException {
        // A leftover from a save that crashed before its rename; the real file is intact.
        Files.deleteIfExists(temporary);
        if (!Files.exists(file)) {
            return List.of();
        }
        restrictPermissions(file);
        byte[] content = Files.readAllBytes(file);
        try {
            return parse(content);
        } catch (CorruptFileException corrupt) {
            Path aside = setAside();
            LOG.error("Identity file {} is corrupt ({}). It was renamed to {} and {}.",
                    file, corrupt.getMessage(), aside.getFileName(), emptyConsequence);
            return List.of();
        }
    }

    void save(Collection<Identity> identities) throws IOException {
        createDirectory();
        byte[] content = render(identities);
        Files.deleteIfExists(temporary);
        try {
            try (FileChannel channel = FileChannel.open(temporary, Set.of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE), ownerOnly(OWNER_READ_WRITE))) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            replace(temporary, file);
        } catch (IOException | RuntimeException failed) {
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException ignored) {
                failed.addSuppressed(ignored);
            }
            throw failed;
        }
        syncDirectory();
    }

    private List<Identity> parse(byte[] content) throws CorruptFileException {
        JsonNode root;
        try {
            root = json.readTree(content);
        } catch (JsonProcessingException e) {
            // Jackson's own message can quote file content, which may be a key.
            throw new CorruptFileException("not valid JSON" + (e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr()));
        } catch (IOException e) {
            throw new CorruptFileException("not readable as JSON");
        }
        if (root == null || !root.isObject()) {
            throw new CorruptFileException("expected a JSON object at the top level");
        }
        JsonNode version = root.get("version");
        if (version == null || !version.canConvertToExactIntegral() || version.asInt() != FORMAT_VERSION) {
            throw new CorruptFileException("unsupported or missing \"version\" (expected " + FORMAT_VERSION + ")");
        }
        JsonNode entries = root.get("identities");
        if (entries == null || !entries.isArray()) {
            throw new CorruptFileException("\"identities\" must be an array");
        }
        List<Identity> identities = new ArrayList<>(entries.size());
        Set<IdentityId> seen = new HashSet<>();
        for (int i = 0; i < entries.size(); i++) {
            Identity identity = parseEntry(i, entries.get(i));
            if (!seen.add(identity.id())) {
                throw new CorruptFileException("entry " + i + ": identity " + LogSafe.quote(identity.id().toString())
                        + " appears more than once");
            }
            identities.add(identity);
        }
        if (parentsMustBeInFile) {
            try {
                ParentLinks.checkConsistent(identities);
            } catch (IllegalArgumentException inconsistent) {
                throw new CorruptFileException(inconsistent.getMessage());
            }
        }
        return identities;
    }

    private static Identity parseEntry(int index, JsonNode entry) throws CorruptFileException {
        if (!entry.isObject()) {
            throw new CorruptFileException("entry " + index + " is not a JSON object");
        }
        String deviceId = text(index, entry, "deviceId", true);
        String moduleId = text(index, entry, "moduleId", false);
        String primaryKey = text(index, entry, "primaryKey", true);
        String secondaryKey = text(index, entry, "secondaryKey", true);
        boolean edgeDevice = flag(index, entry, "edgeDevice");
        String parentDeviceId = text(index, entry, "parentDeviceId", false);
        String primaryThumbprint = text(index, entry, "x509PrimaryThumbprint", false);
        String secondaryThumbprint = text(index, entry, "x509SecondaryThumbprint", false);
        try {
            Identity identity = new Identity(new IdentityId(deviceId, moduleId), primaryKey, secondaryKey, edgeDevice,
                    parentDeviceId, primaryThumbprint, secondaryThumbprint);
            IdentityRules.checkIdentity(identity);
            return identity;
        } catch (IllegalArgumentException invalid) {
            throw new CorruptFileException("entry " + index + ": " + invalid.getMessage());
        }
    }

    private static String text(int index, JsonNode entry, String field, boolean required) throws CorruptFileException {
        JsonNode value = entry.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                throw new CorruptFileException("entry " + index + " has no \"" + field + "\"");
            }
            return null;
        }
        if (!value.isTextual()) {
            throw new CorruptFileException("entry " + index + ": \"" + field + "\" must be a string");
        }
        return value.textValue();
    }

    private static boolean flag(int index, JsonNode entry, String field) throws CorruptFileException {
        JsonNode value = entry.get(field);
        if (value == null || value.isNull()) {
            return false;
        }
        if (!value.isBoolean()) {
            throw new CorruptFileException("entry " + index + ": \"" + field + "\" must be true or false");
        }
        return value.booleanValue();
    }

    private byte[] render(Collection<Identity> identities) throws JsonProcessingException {
        ObjectNode root = json.createObjectNode();
        root.put("version", FORMAT_VERSION);
        ArrayNode entries = root.putArray("identities");
        for (Identity identity : identities) {
            ObjectNode entry = entries.addObject();
            entry.put("deviceId", identity.id().deviceId());
            if (identity.id().isModule()) {
                entry.put("moduleId", identity.id().moduleId());
            }
            entry.put("primaryKey", identity.primaryKey());
            entry.put("secondaryKey", identity.secondaryKey());
            if (identity.edgeDevice()) {
                entry.put("edgeDevice", true);
            }
            if (identity.parentDeviceId() != null) {
                entry.put("parentDeviceId", identity.parentDeviceId());
            }
            if (identity.primaryThumbprint() != null) {
                entry.put("x509PrimaryThumbprint", identity.primaryThumbprint());
            }
            if (identity.secondaryThumbprint() != null) {
                entry.put("x509SecondaryThumbprint", identity.secondaryThumbprint());
            }
        }
        return json.writeValueAsBytes(root);
    }

    private Path setAside() throws IOException {
        String base = fileName + ".corrupt-" + ASIDE_STAMP.format(clock.instant());
        Path aside = directory.resolve(base);
        for (int attempt = 2; Files.exists(aside); attempt++) {
            aside = directory.resolve(base + "-" + attempt);
        }
        try {
            replace(file, aside);
        } catch (IOException e) {
            throw new IOException("identity file " + file + " is corrupt and could not be set aside (" + e
                    + "); refusing to start with an empty registry that would overwrite it", e);
        }
        syncDirectory();
        return aside;
    }

    private static void replace(Path source, Path target) throws IOException {
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private void createDirectory() throws IOException {
        if (Files.isDirectory(directory)) {
            return;
        }
        Path parent = directory.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try {
            Files.createDirectory(directory, ownerOnly(OWNER_ONLY_DIRECTORY));
        } catch (FileAlreadyExistsException raced) {
            if (!Files.isDirectory(directory)) {
                throw raced;
            }
        }
    }

    /** Makes the rename durable: without it a power loss can bring the old file back. */
    private void syncDirectory() {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException | UnsupportedOperationException notSupported) {
            // Some platforms (Windows) cannot open a directory; the rename itself is still atomic.
        }
    }

    private void restrictPermissions(Path path) throws IOException {
        if (!supportsPosix()) {
            return;
        }
        Set<PosixFilePermission> current = Files.getPosixFilePermissions(path);
        if (!OWNER_READ_WRITE.containsAll(current)) {
            LOG.warn("Identity file {} was readable by others ({}); restricting it to rw-------",
                    path, PosixFilePermissions.toString(current));
            Files.setPosixFilePermissions(path, OWNER_READ_WRITE);
        }
    }

    private FileAttribute<?>[] ownerOnly(Set<PosixFilePermission> permissions) {
        return supportsPosix()
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(permissions)}
                : new FileAttribute<?>[0];
    }

    private boolean supportsPosix() {
        return directory.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    private static final class CorruptFileException extends Exception {
        private static final long serialVersionUID = 1L;

        CorruptFileException(String reason) {
            super(reason, null, false, false);
        }
    }
}
