package io.gatehouse.pki.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The component's configuration, checked: every refusal names the key and what to change. */
record PkiSettings(Path directory, HostNames hosts, String deviceId, int caValidityDays, int serverValidityDays,
                   int renewBeforeDays, OperatorFiles operatorFiles) {

    static final int MAX_VALIDITY_DAYS = 36_500;

    /** The operator's PEM files; all three or none. */
    record OperatorFiles(Path serverCertificate, Path serverKey, Path caCertificate) {
    }

    static PkiSettings of(EdgeCertificateAuthority.Config config) {
        String directory = config.directory() == null ? "" : config.directory().strip();
        if (directory.isEmpty()) {
            throw new IllegalArgumentException("'directory' must not be empty");
        }
        String deviceId = config.deviceId() == null ? "" : config.deviceId().strip();
        if (deviceId.isEmpty()) {
            throw new IllegalArgumentException("'deviceId' must not be empty");
        }
        int caDays = days("caValidityDays", config.caValidityDays(), 1);
        int serverDays = days("serverValidityDays", config.serverValidityDays(), 1);
        int renewDays = days("renewBeforeDays", config.renewBeforeDays(), 0);
        if (renewDays >= caDays) {
            throw new IllegalArgumentException("renewBeforeDays (" + renewDays + ") must be less than caValidityDays ("
                    + caDays + "); otherwise the edge CA, which every module trusts, would be replaced on every start");
        }
        HostNames hosts = HostNames.of(config.gatewayHostName(), splitNames(config.extraHostNames()));
        return new PkiSettings(Path.of(directory), hosts, deviceId, caDays, serverDays, renewDays,
                operatorFiles(config));
    }

    Duration renewBefore() {
        return Duration.ofDays(renewBeforeDays);
    }

    boolean operatorSupplied() {
        return operatorFiles != null;
    }

    private static int days(String key, int value, int minimum) {
        if (value < minimum || value > MAX_VALIDITY_DAYS) {
            throw new IllegalArgumentException("'" + key + "' is " + value + "; it must be " + minimum + " to "
                    + MAX_VALIDITY_DAYS + " days");
        }
        return value;
    }

    /** A .cfg file may give the list as one comma-separated string. */
    private static String[] splitNames(String[] names) {
        List<String> split = new ArrayList<>();
        if (names != null) {
            for (String entry : names) {
                if (entry != null) {
                    for (String name : entry.split("[,\\s]+")) {
                        if (!name.isEmpty()) {
                            split.add(name);
                        }
                    }
                }
            }
        }
        return split.toArray(String[]::new);
    }

    private static OperatorFiles operatorFiles(EdgeCertificateAuthority.Config config) {
        String certificate = blankToEmpty(config.serverCertificateFile());
        String key = blankToEmpty(config.serverKeyFile());
        String ca = blankToEmpty(config.caCertificateFile());
        List<String> given = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        (certificate.isEmpty() ? missing : given).add("serverCertificateFile");
        (key.isEmpty() ? missing : given).add("serverKeyFile");
        (ca.isEmpty() ? missing : given).add("caCertificateFile");
        if (given.isEmpty()) {
            return null;
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("operator-supplied certificates need serverCertificateFile, "
                    + "serverKeyFile and caCertificateFile together; " + String.join(" and ", given)
                    + (given.size() == 1 ? " is" : " are") + " set but " + String.join(" and ", missing)
                    + (missing.size() == 1 ? " is" : " are") + " not (set all three, or none to generate them)");
        }
        return new OperatorFiles(Path.of(certificate), Path.of(key), Path.of(ca));
    }

    private static String blankToEmpty(String value) {
        return value == null ? "" : value.strip();
    }
}
