package io.gatehouse.upstream.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The upstream configuration, checked. {@link #toString()} leaves the device key out.
 *
 * @param deviceKey the edge device's symmetric key (base64): a secret; null when it authenticates by
 *        {@code certificate}
 * @param certificate the edge device's X.509 certificate and key; null when it authenticates by {@code deviceKey}
 */
record UpstreamSettings(String hostName, int port, UpstreamProtocol protocol, String caFile, String deviceId,
        String deviceKey, DeviceCertificate certificate, int maxBatchSize, int maxBatchBytes,
        Duration operationTimeout, Duration tokenValidity, Duration reconnectMaxDelay,
        Duration scopeRefresh, Duration idleConnectionTimeout, Duration reportInterval, Path stateDirectory,
        Duration methodResponseTimeout, Duration methodConnectTimeout) {

    private static final Logger LOG = LoggerFactory.getLogger(UpstreamSettings.class);
    /** IoT Hub's limit on one send, 256 KiB. */
    static final int DEFAULT_MAX_BATCH_BYTES = 262_144;

    /**
     * @throws IllegalArgumentException why the upstream cannot be used with this configuration,
     *         naming the key to set; the gateway then stays offline and messages wait in the store
     */
    static UpstreamSettings from(UpstreamComponent.Config c) {
        String host = c.hostName().strip();
        if (host.isEmpty()) throw new IllegalArgumentException("hostName is empty");
        UpstreamProtocol protocol = UpstreamProtocol.parse(c.protocol());
        if (protocol == null) {
            throw new IllegalArgumentException("unknown protocol '" + c.protocol()
                    + "'; set protocol to amqps, amqp, mqtts or mqtt in " + UpstreamComponent.PID);
        }
        if (c.port() < 0 || c.port() > 65535) {
            throw new IllegalArgumentException("port " + c.port() + " is not a TCP port (1-65535, or 0 for the "
                    + "protocol's default)");
        }
        int port = c.port() == 0 ? protocol.defaultPort() : c.port();
        String deviceId = c.deviceId().strip();
        if (deviceId.isEmpty()) {
            throw new IllegalArgumentException("deviceId (PID io.gatehouse.hub) is empty: set this edge device's id");
        }
        String key = c.deviceKey() == null ? "" : c.deviceKey().strip();
        String certFile = c.certFile() == null ? "" : c.certFile().strip();
        String keyFile = c.keyFile() == null ? "" : c.keyFile().strip();
        DeviceCertificate certificate = null;
        if (certFile.isEmpty() != keyFile.isEmpty()) {
            throw new IllegalArgumentException((certFile.isEmpty() ? "keyFile is set but certFile is not"
                    : "certFile is set but keyFile is not") + ": X.509 needs both, the certificate (PEM) and its private "
                    + "key (PEM), in " + UpstreamComponent.PID);
        }
        boolean x509 = !certFile.isEmpty();
        if (x509 && !key.isEmpty()) {
            throw new IllegalArgumentException("both deviceKey and certFile/keyFile are set: set exactly one, the "
                    + "symmetric key or the X.509 certificate of edge device '" + deviceId + "', in " + UpstreamComponent.PID);
        }
        if (x509) {
            if (!protocol.tls()) {
                throw new IllegalArgumentException("an X.509 certificate needs TLS, but protocol is " + c.protocol().strip()
                        + ": set protocol to amqps or mqtts");
            }
            certificate = DeviceCertificate.load(Path.of(certFile), Path.of(keyFile));
        } else if (key.isEmpty()) {
            throw new IllegalArgumentException("neither deviceKey nor certFile and keyFile are set: set deviceKey in "
                    + UpstreamComponent.PID + " to the symmetric key (base64) of edge device '" + deviceId
                    + "' as registered at the parent, or certFile and keyFile to its X.509 certificate and key");
        } else {
            try {
                if (Base64.getDecoder().decode(key).length == 0) throw new IllegalArgumentException("empty");
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("deviceKey is not a base64 key: set deviceKey in "
                        + UpstreamComponent.PID + " to the edge device's primary or secondary key");
            }
        }
        return new UpstreamSettings(host, port, protocol, c.caFile().strip(), deviceId, x509 ? null : key, certificate,
                positive("maxBatchSize", c.maxBatchSize(), 10),
                positive("maxBatchBytes", c.maxBatchBytes(), DEFAULT_MAX_BATCH_BYTES),
                seconds("operationTimeoutSecs", c.operationTimeoutSecs(), 20),
                seconds("tokenValiditySecs", c.tokenValiditySecs(), 3600),
                seconds("reconnectMaxDelaySecs", c.reconnectMaxDelaySecs(), 2),
                seconds("scopeRefreshSecs", c.scopeRefreshSecs(), 3600),
                seconds("idleConnectionTimeoutSecs", c.idleConnectionTimeoutSecs(), 3600),
                seconds("reportIntervalSecs", c.reportIntervalSecs(), 5),
                Path.of(c.stateDirectory().isBlank() ? "data/upstream" : c.stateDirectory().strip()),
                Duration.ofSeconds(within("methodResponseTimeoutSecs", c.methodResponseTimeoutSecs(), 5, 300, 30)),
                Duration.ofSeconds(within("methodConnectTimeoutSecs", c.methodConnectTimeoutSecs(), 0, 300, 0)));
    }

    /** A direct method's timeouts have IoT Hub's bounds (reference §8), which the invokers check. */
    private static int within(String key, int value, int min, int max, int fallback) {
        if (value >= min && value <= max) return value;
        LOG.warn("{} {} is outside {}..{}; using {}", key, value, min, max, fallback);
        return fallback;
    }

    private static int positive(String key, int value, int fallback) {
        if (value > 0) return value;
        LOG.warn("{} {} is not positive; using {}", key, value, fallback);
        return fallback;
    }

    private static Duration seconds(String key, int value, int fallback) {
        return Duration.ofSeconds(positive(key, value, fallback));
    }

    /** Whether this edge device authenticates by its X.509 certificate (else by its symmetric key). */
    boolean x509() {
        return certificate != null;
    }

    boolean tls() {
        return protocol.tls();
    }

    /** {@code ssl://host:port} or {@code tcp://host:port}, an IPv6 literal in brackets. */
    String serverUri() {
        String host = hostName.indexOf(':') >= 0 && !hostName.startsWith("[") ? "[" + hostName + "]" : hostName;
        return (tls() ? "ssl://" : "tcp://") + host + ":" + port;
    }

    /** For log lines: where, not how. */
    String where() {
        return hostName + ":" + port;
    }

    @Override
    public String toString() {
        return "UpstreamSettings[" + protocol + " " + where() + ", deviceId=" + deviceId + ", caFile=" + caFile
                + ", credentials=" + (x509() ? "X.509 " + certificate : "symmetric key") + ", maxBatchSize="
                + maxBatchSize + ", maxBatchBytes=" + maxBatchBytes + ", operationTimeout=" + operationTimeout + "]";
    }
}
