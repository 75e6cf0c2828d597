package io.gatehouse.samples.temperature;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the module reads from its environment, checked before the SDK sees it: the SDK's own
 * messages for a missing or malformed connection string are vague, and a module run by hand
 * should be told exactly which variable to set.
 *
 * @param sendInterval pause between two telemetry messages
 * @param messageCount messages to send before exiting; 0 sends until stopped
 */
public record SensorSettings(Duration sendInterval, long messageCount) {

    static final String CONNECTION_STRING = "EdgeHubConnectionString";
    static final String CA_CERTIFICATE_FILE = "EdgeModuleCACertificateFile";
    static final String SEND_INTERVAL_MS = "SEND_INTERVAL_MS";
    static final String MESSAGE_COUNT = "MESSAGE_COUNT";

    static final long DEFAULT_SEND_INTERVAL_MS = 1000;

    /** Fields the SDK needs to authenticate a module with a shared access key. */
    private static final Set<String> REQUIRED_FIELDS = Set.of("hostname", "deviceid", "moduleid", "sharedaccesskey");

    public SensorSettings {
        if (sendInterval.isNegative() || sendInterval.isZero()) {
            throw new IllegalArgumentException("sendInterval must be positive");
        }
        if (messageCount < 0) throw new IllegalArgumentException("messageCount must be 0 (unlimited) or more");
    }

    /** Whether the module stops by itself after {@link #messageCount()} messages. */
    public boolean limited() {
        return messageCount > 0;
    }

    /**
     * Reads and checks the environment the Azure IoT SDK's {@code createFromEnvironment} will read.
     *
     * @throws InvalidEnvironmentException naming the variable that is missing or wrong
     */
    public static SensorSettings fromEnvironment(Map<String, String> env) throws InvalidEnvironmentException {
        String connectionString = env.get(CONNECTION_STRING);
        if (connectionString == null || connectionString.isBlank()) {
            throw new InvalidEnvironmentException(CONNECTION_STRING + " is not set. It holds the module's connection"
                    + " string (HostName=...;GatewayHostName=...;DeviceId=...;ModuleId=...;SharedAccessKey=...), which Gatehouse"
                    + " passes to the modules it runs; `gatehouse identity add <device> --module <module>` prints one.");
        }
        Set<String> fields = fieldNames(connectionString);
        Set<String> missing = new TreeSet<>();
        for (String required : REQUIRED_FIELDS) {
            if (!fields.contains(required)) missing.add(displayName(required));
        }
        if (!missing.isEmpty()) {
            throw new InvalidEnvironmentException(CONNECTION_STRING + " lacks " + String.join(", ", missing)
                    + "; a module's connection string has HostName, DeviceId, ModuleId and SharedAccessKey.");
        }
        if (fields.contains("gatewayhostname")) {
            checkCaFile(env.get(CA_CERTIFICATE_FILE));
        }
        long intervalMs = number(env, SEND_INTERVAL_MS, DEFAULT_SEND_INTERVAL_MS, 1);
        long count = number(env, MESSAGE_COUNT, 0, 0);
        return new SensorSettings(Duration.ofMillis(intervalMs), count);
    }

    /** The gateway's certificate is issued by the edge CA, which no default trust store holds. */
    private static void checkCaFile(String file) throws InvalidEnvironmentException {
        if (file == null || file.isBlank()) {
            throw new InvalidEnvironmentException(CA_CERTIFICATE_FILE + " is not set. Connecting through a gateway"
                    + " (GatewayHostName in " + CONNECTION_STRING + ") needs the edge CA certificate (PEM) that"
                    + " issued the gateway's TLS certificate, e.g. data/certs/edge-ca.pem of Gatehouse.");
        }
        Path path;
        try {
            path = Path.of(file);
        } catch (InvalidPathException e) {
            throw new InvalidEnvironmentException(CA_CERTIFICATE_FILE + " is not a valid path: " + file);
        }
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw new InvalidEnvironmentException(CA_CERTIFICATE_FILE + " names " + path.toAbsolutePath()
                    + ", which is not a readable file.");
        }
    }

    private static long number(Map<String, String> env, String name, long defaultValue, long min)
            throws InvalidEnvironmentException {
        String raw = env.get(name);
        if (raw == null || raw.isBlank()) return defaultValue;
        long value;
        try {
            value = Long.parseLong(raw.trim());
        } catch (NumberFormatException e) {
            throw new InvalidEnvironmentException(name + " must be a whole number, not '" + raw + "'.");
        }
        if (value < min) {
            throw new InvalidEnvironmentException(name + " must be at least " + min + ", not " + value + ".");
        }
        return value;
    }

    /** Lower-cased names of the {@code Name=value} fields, as the SDK matches them. Values are never kept. */
    private static Set<String> fieldNames(String connectionString) {
        Set<String> names = new TreeSet<>();
        for (String field : connectionString.split(";")) {
            int eq = field.indexOf('=');
            if (eq > 0 && eq < field.length() - 1) names.add(field.substring(0, eq).trim().toLowerCase(Locale.ROOT));
        }
        return names;
    }

    private static String displayName(String field) {
        return switch (field) {
            case "hostname" -> "HostName";
            case "deviceid" -> "DeviceId";
            case "moduleid" -> "ModuleId";
            default -> "SharedAccessKey";
        };
    }
}
