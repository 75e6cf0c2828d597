package io.gatehouse.pki.internal;

import io.gatehouse.api.tls.EdgeCertificates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.osgi.service.component.ComponentConstants;
import org.osgi.service.component.ComponentContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's TLS identity. Either generates and keeps an edge CA and a server certificate for
 * the gateway's host names, or serves the operator's own certificates after checking them.
 *
 * <p>The contract promises a new service object whenever the certificates change, so there is no
 * {@code @Modified}: a configuration change reactivates the component, and when renewal falls due
 * (or the operator's files change) while running, the component disables and re-enables itself,
 * and the next activation does the renewal.
 */
// No @Designate: bnd allows it only for a single PID, and io.gatehouse.hub is shared by several bundles.
@Component(service = EdgeCertificates.class, immediate = true,
        configurationPid = {EdgeCertificateAuthority.PID, EdgeCertificateAuthority.HUB_PID})
public class EdgeCertificateAuthority implements EdgeCertificates {

    static final String PID = "io.gatehouse.pki";
    static final String HUB_PID = "io.gatehouse.hub";
    static final Duration CHECK_INTERVAL = Duration.ofHours(1);
    /** A misconfiguration that makes renewal always due must not reactivate the component more than daily. */
    static final Duration MIN_TIME_BETWEEN_RENEWALS = Duration.ofDays(1);

    @ObjectClassDefinition(name = "Gatehouse edge certificates",
            description = "The edge CA modules and devices trust, and the hub's TLS server certificate")
    public @interface Config {
        @AttributeDefinition(description = "Directory of the generated edge-ca.pem, edge-ca.key.pem, server.pem "
                + "and server.key.pem (made owner-only)")
        String directory() default "data/certs";

        @AttributeDefinition(description = "More DNS names or IP addresses for the server certificate, besides "
                + "gatewayHostName, localhost and 127.0.0.1")
        String[] extraHostNames() default {};

        @AttributeDefinition(description = "Lifetime of a generated edge CA, in days")
        int caValidityDays() default 1825;

        @AttributeDefinition(description = "Lifetime of a generated server certificate, in days")
        int serverValidityDays() default 90;

        @AttributeDefinition(description = "Renew a generated certificate this many days before it expires")
        int renewBeforeDays() default 30;

        @AttributeDefinition(description = "Operator-supplied server certificate (PEM, server first then its "
                + "issuers); empty to generate. Set all three files or none.")
        String serverCertificateFile() default "";

        @AttributeDefinition(description = "Operator-supplied private key of the server certificate (unencrypted PEM)")
        String serverKeyFile() default "";

        @AttributeDefinition(description = "Operator-supplied CA certificate(s) that clients trust (PEM)")
        String caCertificateFile() default "";

        @AttributeDefinition(description = "Host name clients use to reach this gateway (shared, PID io.gatehouse.hub)")
        String gatewayHostName() default "localhost";

        @AttributeDefinition(description = "This edge device's id (shared, PID io.gatehouse.hub)")
        String deviceId() default "edge1";
    }

    private static final Logger LOG = LoggerFactory.getLogger(EdgeCertificateAuthority.class);

    private final PkiSettings settings;
    private final Clock clock;
    private final Runnable reactivate;
    private final CertificateSet certificates;
    private final Instant activatedAt;
    private final List<FileStamp> operatorStamps;
    private final AtomicBoolean reactivationRequested = new AtomicBoolean();
    private final ScheduledExecutorService checker;
    private List<FileStamp> refusedStamps = List.of();
    private Instant nextExpiryWarning = Instant.MIN;

    @Activate
    public EdgeCertificateAuthority(Config config, ComponentContext context) {
        this(config, Clock.systemUTC(), reactivation(context), true);
    }

    EdgeCertificateAuthority(Config config, Clock clock, Runnable reactivate, boolean scheduleChecks) {
        this.clock = clock;
        this.reactivate = reactivate;
        this.activatedAt = clock.instant();
        try {
            this.settings = PkiSettings.of(config);
        } catch (IllegalArgumentException e) {
            LOG.error("Configuration {} refused: {}", PID, e.getMessage());
            throw new IllegalArgumentException("configuration " + PID + ": " + e.getMessage(), e);
        }
        if (settings.renewBeforeDays() >= settings.serverValidityDays() && !settings.operatorSupplied()) {
            LOG.warn("renewBeforeDays ({}) is not less than serverValidityDays ({}): the server certificate will be "
                    + "renewed on every start", settings.renewBeforeDays(), settings.serverValidityDays());
        }
        this.certificates = load(settings, clock);
        this.operatorStamps = settings.operatorSupplied() ? stamps(settings.operatorFiles()) : List.of();
        if (scheduleChecks) {
            checker = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "gatehouse-pki-renewal");
                thread.setDaemon(true);
                return thread;
            });
            checker.scheduleWithFixedDelay(this::check, CHECK_INTERVAL.toMinutes(), CHECK_INTERVAL.toMinutes(),
                    TimeUnit.MINUTES);
        } else {
            checker = null;
        }
    }

    private static CertificateSet load(PkiSettings settings, Clock clock) {
        if (settings.operatorSupplied()) {
            try {
                return OperatorCertificates.load(settings, clock);
            } catch (PemException e) {
                LOG.error("Operator-supplied certificates refused: {}. The TLS listener stays down until this is "
                        + "fixed; generated certificates are not used instead", e.getMessage());
                throw new IllegalStateException("operator-supplied certificates refused: " + e.getMessage(), e);
            }
        }
        try {
            return new GeneratedCertificates(settings, new CertificateIssuer(), clock).loadOrCreate();
        } catch (IOException | GeneralSecurityException e) {
            LOG.error("Could not prepare the edge certificates in {}: {}", settings.directory().toAbsolutePath(),
                    e.toString());
            throw new IllegalStateException("could not prepare the edge certificates in "
                    + settings.directory().toAbsolutePath() + ": " + e, e);
        }
    }

    @Deactivate
    void deactivate() {
        if (checker != null) {
            checker.shutdown();
        }
    }

    @Override
    public List<X509Certificate> serverCertificateChain() {
        return certificates.chain();
    }

    @Override
    public PrivateKey serverPrivateKey() {
        return certificates.privateKey();
    }

    @Override
    public Path caCertificateFile() {
        return certificates.caFile();
    }

    /**
     * The periodic check: renewal due for generated certificates, or changed files for operator ones.
     * Requests at most one reactivation; the next activation does the actual work.
     */
    void check() {
        try {
            if (reactivationRequested.get()) {
                return;
            }
            Instant now = clock.instant();
            if (!settings.operatorSupplied()) {
                Instant due = later(certificates.renewalDue(), activatedAt.plus(MIN_TIME_BETWEEN_RENEWALS));
                if (!now.isBefore(due)) {
                    requestReactivation("the edge certificates are due for renewal");
                }
                return;
            }
            List<FileStamp> current = stamps(settings.operatorFiles());
            if (current.equals(operatorStamps)) {
                if (!now.isBefore(nextExpiryWarning)) {
                    nextExpiryWarning = now.plus(Duration.ofDays(1));
                    OperatorCertificates.warnIfExpiring(settings, certificates.chain(),
                            settings.operatorFiles().serverCertificate(), now);
                }
                return;
            }
            if (current.equals(refusedStamps)) {
                return;
            }
            try {
                OperatorCertificates.load(settings, clock);
                requestReactivation("the operator-supplied certificate files changed");
            } catch (PemException e) {
                refusedStamps = current;
                LOG.error("The operator-supplied certificate files changed but are refused: {}. Still serving the "
                        + "previous certificates; a restart would fail until this is fixed", e.getMessage());
            }
        } catch (RuntimeException e) {
            LOG.warn("Certificate check failed: {}", e.toString());
        }
    }

    private void requestReactivation(String why) {
        if (reactivationRequested.compareAndSet(false, true)) {
            LOG.info("Restarting the edge certificate component: {}", why);
            reactivate.run();
        }
    }

    private static Runnable reactivation(ComponentContext context) {
        String name = (String) context.getProperties().get(ComponentConstants.COMPONENT_NAME);
        // Both calls are queued by SCR in order: the old service goes away, then a new activation registers anew.
        return () -> {
            context.disableComponent(name);
            context.enableComponent(name);
        };
    }

    /** Size and modification time: enough to notice an operator replacing a file. */
    private record FileStamp(Path file, long size, long modified) {
    }

    private static List<FileStamp> stamps(PkiSettings.OperatorFiles files) {
        List<FileStamp> stamps = new ArrayList<>();
        for (Path file : List.of(files.serverCertificate(), files.serverKey(), files.caCertificate())) {
            try {
                BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
                stamps.add(new FileStamp(file, attributes.size(), attributes.lastModifiedTime().toMillis()));
            } catch (IOException e) {
                stamps.add(new FileStamp(file, -1, -1));
            }
        }
        return stamps;
    }

    private static Instant later(Instant a, Instant b) {
        return Objects.requireNonNull(a).isAfter(b) ? a : b;
    }

    @Override
    public String toString() {
        return "EdgeCertificateAuthority[" + certificates + "]";
    }
}
