package io.gatehouse.management.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.api.deployment.EdgeAgentConfigurator;
import io.gatehouse.api.deployment.EdgeHubConfigurator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the deployment file shipped with the gateway (etc/deployment.json) at start, when its
 * content changed since it was last applied from the file, or when the gateway has no
 * configuration at all. Otherwise a deployment made at run time ({@code gatehouse deploy}) stays
 * in force across restarts: an unchanged file must not undo it.
 */
public final class InitialDeployment {
    private static final Logger LOG = LoggerFactory.getLogger(InitialDeployment.class);
    static final String DIGEST_FILE = "initial-deployment.sha256";

    /** What happened, for the log and the tests. */
    public enum Outcome { NO_FILE, UNCHANGED, APPLIED, REFUSED }

    private final Path file;
    private final Path stateDirectory;
    private final ObjectMapper mapper;

    public InitialDeployment(Path file, Path stateDirectory, ObjectMapper mapper) {
        this.file = file;
        this.stateDirectory = stateDirectory;
        this.mapper = mapper;
    }

    /**
     * @param agent null while the agent bundle is not active; a file with modules then waits for it
     * @param twins null while the twin bundle is not active; a file with module twins then waits for it
     */
    public Outcome applyIfNeeded(EdgeHubConfigurator configurator, EdgeAgentConfigurator agent, ModuleTwins twins)
            throws IOException {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            LOG.info("No initial deployment file {}; nothing to apply", file);
            return Outcome.NO_FILE;
        }
        String digest = sha256(content);
        boolean changed = !digest.equals(lastAppliedDigest());
        boolean gatewayHasNone = configurator.current() == null;
        if (!changed && !gatewayHasNone) {
            LOG.debug("Initial deployment {} is unchanged since it was applied; keeping the configuration in force", file);
            return Outcome.UNCHANGED;
        }
        ApiResponse answer = new DeploymentApi(configurator, agent, twins, mapper).deploy(content, file.toString());
        if (answer.status() == 503) {
            LOG.info("Initial deployment {} waits for a service: {}", file, answer.body().path("description").asText());
            return Outcome.REFUSED;
        }
        if (answer.status() != 200) {
            LOG.error("Initial deployment {} was not applied, the configuration in force is unchanged: {}",
                    file, answer.body().path("description").asText());
            return Outcome.REFUSED;
        }
        rememberDigest(digest);
        LOG.info("Applied initial deployment {} ({})", file, changed ? "it changed" : "the gateway had no configuration");
        return Outcome.APPLIED;
    }

    private String lastAppliedDigest() throws IOException {
        try {
            return Files.readString(stateDirectory.resolve(DIGEST_FILE), StandardCharsets.US_ASCII).trim();
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    // Write then rename, so a crash leaves the old digest or the new one, never half of one.
    private void rememberDigest(String digest) throws IOException {
        Files.createDirectories(stateDirectory);
        Path tmp = stateDirectory.resolve(DIGEST_FILE + ".tmp");
        Files.writeString(tmp, digest + "\n", StandardCharsets.US_ASCII);
        Files.move(tmp, stateDirectory.resolve(DIGEST_FILE), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }

    static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
