package io.gatehouse.supervisor.docker.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import io.gatehouse.api.module.ModuleRuntimeException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Docker engine, reached through docker-java, and what is known of whether it answers. Every
 * call goes through {@link #call}, which turns docker-java's unchecked failures into
 * {@link ModuleRuntimeException}s an operator can act on, and logs the engine becoming unreachable
 * once (and its return), not on every call.
 */
final class DockerEngine implements AutoCloseable {

    /** Only a local engine is expected: a slow connect means a wrong address, not a busy engine. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private static final Logger LOG = LoggerFactory.getLogger(DockerEngine.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int UNKNOWN = 0;
    private static final int REACHABLE = 1;
    private static final int UNREACHABLE = 2;

    private final String host;
    /** The engine's socket when it listens on one; null for tcp. */
    private final Path socket;
    private final DockerClient client;
    private final AtomicInteger reachability = new AtomicInteger(UNKNOWN);

    /** What an engine call does; docker-java's unchecked exceptions are translated by {@link #call}. */
    @FunctionalInterface
    interface Call<T> {
        T run(DockerClient client) throws InterruptedException, IOException, ModuleRuntimeException;
    }

    DockerEngine(String host) {
        this.host = host;
        this.socket = host.startsWith("unix://") ? Path.of(URI.create(host).getPath()) : null;
        // built from nothing but the host: the gateway's DOCKER_* variables must not redirect it
        DefaultDockerClientConfig config = new DefaultDockerClientConfig.Builder()
                .withDockerHost(host)
                .withDockerTlsVerify(false)
                .build();
        ZerodepDockerHttpClient http = new ZerodepDockerHttpClient.Builder()
                .dockerHost(URI.create(host))
                .connectionTimeout(CONNECT_TIMEOUT)
                .build();
        this.client = DockerClientImpl.getInstance(config, http);
    }

    String host() {
        return host;
    }

    /** A create command to fill in; nothing is sent until it is run through {@link #call}. */
    CreateContainerCmd createCommand(String image) {
        return client.createContainerCmd(image);
    }

    <T> T call(String what, Call<T> call) throws ModuleRuntimeException {
        if (socket != null && !Files.exists(socket)) {
            // the usual case of an engine not running; asking docker-java would log its retry on every call
            throw unreachable(new NoSuchFileException(socket.toString(), null, "no such socket"));
        }
        try {
            T result = call.run(client);
            reachable();
            return result;
        } catch (DockerException e) {
            reachable();
            throw new ModuleRuntimeException(what + ": the Docker engine answered " + e.getHttpStatus() + ", "
                    + engineMessage(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModuleRuntimeException(what + ": interrupted while waiting for the Docker engine", e);
        } catch (IOException e) {
            throw unreachable(e);
        } catch (RuntimeException e) {
            IOException io = ioCause(e);
            if (io == null) throw new ModuleRuntimeException(what + ": " + describe(e), e);
            throw unreachable(io);
        }
    }

    /** Records that the engine answered; logs its return after it was unreachable. */
    void reachable() {
        if (reachability.getAndSet(REACHABLE) == UNREACHABLE) {
            LOG.info("The Docker engine at {} answers again", host);
        }
    }

    /** Records that the engine did not answer; logs it once until it answers again. */
    ModuleRuntimeException unreachable(Throwable cause) {
        ModuleRuntimeException e = new ModuleRuntimeException("cannot reach the Docker engine at " + host + ": "
                + describe(cause) + " (is dockerd, or podman's Docker-compatible service, running, and may this"
                + " process use its socket?)", cause);
        if (reachability.getAndSet(UNREACHABLE) != UNREACHABLE) {
            LOG.warn("{}; docker modules cannot be created, started or listed until it answers", e.getMessage());
        }
        return e;
    }

    /** The I/O failure in a docker-java exception's causes: the engine could not be talked to. */
    static IOException ioCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof IOException io) return io;
        }
        return null;
    }

    /** The engine's own {@code message} out of docker-java's "Status 404: {"message":…}". */
    static String engineMessage(DockerException e) {
        String text = e.getMessage() == null ? "" : e.getMessage();
        int brace = text.indexOf('{');
        if (brace >= 0) {
            try {
                JsonNode message = JSON.readTree(text.substring(brace)).get("message");
                if (message != null && message.isTextual()) return message.asText().strip();
            } catch (IOException | RuntimeException ignored) {
                // not the usual body: keep the text as it came
            }
        }
        return text.strip();
    }

    static String describe(Throwable e) {
        Throwable root = e;
        IOException io = ioCause(e);
        if (io != null) root = io;
        String message = root.getMessage();
        return message == null || message.isBlank() ? root.getClass().getSimpleName()
                : root.getClass().getSimpleName() + ": " + message;
    }

    @Override
    public void close() {
        try {
            client.close();
        } catch (IOException e) {
            LOG.debug("Closing the Docker client failed", e);
        }
    }
}
