package io.gatehouse.auth.internal;

import io.gatehouse.api.identity.AuthenticationMissListener;
import io.gatehouse.api.identity.AuthenticationResult;
import io.gatehouse.api.identity.Authenticator;
import io.gatehouse.api.identity.Identity;
import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.identity.IdentityRegistry;
import java.security.MessageDigest;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Authenticates devices and modules with SAS tokens signed by their own primary or secondary
 * key, as edgeHub does in scope mode, or by the key of the edge device that connects on their
 * behalf along an auth chain (nested edge). A module cannot sign with its device's key
 * ({@code allowDeviceAuthForModule} off).
 */
// No @Designate: bnd allows it only for a single PID, and io.gatehouse.hub is shared by several
// bundles, so its MetaType belongs to one owner rather than to each reader.
@Component(service = Authenticator.class, configurationPid = {FileIdentityRegistry.PID, SasTokenAuthenticator.HUB_PID})
public class SasTokenAuthenticator implements Authenticator {

    static final String HUB_PID = "io.gatehouse.hub";
    static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

    @ObjectClassDefinition(name = "Gatehouse SAS authentication",
            description = "Host names a SAS token audience may name (shared hub settings, PID io.gatehouse.hub)")
    public @interface Config {
        @AttributeDefinition(description = "Host name of the IoT hub this edge belongs to")
        String iotHubHostName() default "gatehouse.local";

        @AttributeDefinition(description = "Host name clients use to reach this gateway")
        String gatewayHostName() default "localhost";
    }

    private record Hosts(String iotHub, String gateway) {
        boolean accepts(String host) {
            return host.equalsIgnoreCase(iotHub) || host.equalsIgnoreCase(gateway);
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(SasTokenAuthenticator.class);

    private final IdentityRegistry registry;
    private final Clock clock;
    private volatile Hosts hosts;
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile List<AuthenticationMissListener> missListeners = List.of();

    @Activate
    public SasTokenAuthenticator(@Reference(name = "registry") IdentityRegistry registry, Config config) {
        this(registry, config, Clock.systemUTC());
    }

    SasTokenAuthenticator(IdentityRegistry registry, Config config, Clock clock) {
        this.registry = registry;
        this.clock = clock;
        modified(config);
    }

    @Modified
    void modified(Config config) {
        hosts = new Hosts(config.iotHubHostName().strip(), config.gatewayHostName().strip());
    }

    @Override
    public AuthenticationResult authenticateSas(IdentityId claimed, String sasToken) {
        if (claimed == null) {
            return AuthenticationResult.failure("no identity claimed");
        }
        String who = LogSafe.quote(claimed.toString());
        ReadToken read = readToken(claimed, who, sasToken);
        if (read.failure() != null) {
            return AuthenticationResult.failure(read.failure());
        }
        Optional<Identity> registered = registry.get(claimed);
        if (registered.isEmpty()) {
            missed(claimed);
            return AuthenticationResult.failure("unknown identity " + who + " (not registered)");
        }
        String expired = expiryFailure(read.token(), who);
        if (expired != null) {
            return AuthenticationResult.failure(expired);
        }
        if (!signedByEither(read.token(), registered.get())) {
            missed(claimed);
            return AuthenticationResult.failure("token signature of " + who
                    + " matches neither its primary nor its secondary key");
        }
        return AuthenticationResult.success(claimed);
    }

    @Override
    public AuthenticationResult authenticateSas(IdentityId claimed, String sasToken, List<String> authChain) {
        if (claimed == null) {
            return AuthenticationResult.failure("no identity claimed");
        }
        String who = LogSafe.quote(claimed.toString());
        String malformed = AuthChain.shapeFailure(claimed, who, authChain);
        if (malformed != null) {
            return AuthenticationResult.failure(malformed);
        }
        if (authChain.size() == 1) {
            return authenticateSas(claimed, sasToken);
        }
        ReadToken read = readToken(claimed, who, sasToken);
        if (read.failure() != null) {
            return AuthenticationResult.failure(read.failure());
        }
        AuthChain.Resolved chain = AuthChain.resolve(registry, claimed, who, authChain);
        if (chain.failure() != null) {
            missed(claimed);
            return AuthenticationResult.failure(chain.failure());
        }
        String expired = expiryFailure(read.token(), who);
        if (expired != null) {
            return AuthenticationResult.failure(expired);
        }
        if (!signedByEither(read.token(), chain.actor())) {
            missed(claimed);
            return AuthenticationResult.failure("token signature of " + who + " matches neither the primary nor the "
                    + "secondary key of the actor " + LogSafe.quote(chain.actor().id().toString())
                    + " (the last element of its auth chain)");
        }
        return AuthenticationResult.success(claimed);
    }

    @Override
    public AuthenticationResult authenticateCertificate(IdentityId claimed, X509Certificate certificate,
            List<String> authChain) {
        if (claimed == null) {
            return AuthenticationResult.failure("no identity claimed");
        }
        String who = LogSafe.quote(claimed.toString());
        if (certificate == null) {
            return AuthenticationResult.failure("no client certificate for " + who);
        }
        List<String> chain = authChain == null || authChain.isEmpty() ? List.of(claimed.toString()) : authChain;
        String malformed = AuthChain.shapeFailure(claimed, who, chain);
        if (malformed != null) {
            return AuthenticationResult.failure(malformed);
        }
        Identity holder;
        if (chain.size() == 1) {
            Optional<Identity> registered = registry.get(claimed);
            if (registered.isEmpty()) {
                missed(claimed);
                return AuthenticationResult.failure("unknown identity " + who + " (not registered)");
            }
            holder = registered.get();
        } else {
            AuthChain.Resolved resolved = AuthChain.resolve(registry, claimed, who, chain);
            if (resolved.failure() != null) {
                missed(claimed);
                return AuthenticationResult.failure(resolved.failure());
            }
            holder = resolved.actor();
        }
        String whose = holder.id().equals(claimed) ? who : "the actor " + LogSafe.quote(holder.id().toString())
                + " of " + who;
        try {
            certificate.checkValidity(Date.from(clock.instant()));
        } catch (CertificateExpiredException | CertificateNotYetValidException e) {
            return AuthenticationResult.failure("the certificate of " + whose + " is not valid now (valid "
                    + certificate.getNotBefore().toInstant() + " to " + certificate.getNotAfter().toInstant() + ")");
        }
        if (holder.primaryThumbprint() == null && holder.secondaryThumbprint() == null) {
            missed(claimed);
            return AuthenticationResult.failure(whose + " has no X.509 thumbprint registered");
        }
        if (!CertificateThumbprints.matchesEither(certificate, holder)) {
            missed(claimed);
            return AuthenticationResult.failure("the certificate of " + whose
                    + " matches neither its primary nor its secondary thumbprint");
        }
        return AuthenticationResult.success(claimed);
    }

    /**
     * What this gateway knows may be stale (a child's scope is learned from its parent): the
     * listeners refresh it; an expired or malformed token is the client's fault and tells nobody.
     */
    private void missed(IdentityId claimed) {
        for (AuthenticationMissListener l : missListeners) {
            try {
                l.authenticationMissed(claimed);
            } catch (RuntimeException e) {
                LOG.warn("an authentication-miss listener failed: {}", e.toString());
            }
        }
    }

    /** A parsed token whose audience is {@code claimed} on an accepted host, or why not. */
    private record ReadToken(SasToken token, String failure) {
    }

    private ReadToken readToken(IdentityId claimed, String who, String sasToken) {
        SasToken token;
        Audience audience;
        try {
            token = SasToken.parse(sasToken);
            audience = Audience.parse(token.audience());
        } catch (MalformedTokenException malformed) {
            return new ReadToken(null, "malformed SAS token for " + who + ": " + malformed.getMessage());
        }
        Hosts accepted = hosts;
        if (!accepted.accepts(audience.host())) {
            return new ReadToken(null, "token audience host " + LogSafe.quote(audience.host())
                    + " is not accepted for " + who + ": expected the IoT hub host " + LogSafe.quote(accepted.iotHub())
                    + " or the gateway host " + LogSafe.quote(accepted.gateway()));
        }
        if (!audience.names(claimed)) {
            return new ReadToken(null, "token audience names identity "
                    + LogSafe.quote(audience.identity().toString()) + ", but the client claims to be " + who);
        }
        return new ReadToken(token, null);
    }

    private String expiryFailure(SasToken token, String who) {
        Instant now = clock.instant();
        if (token.expirySeconds() <= now.minus(CLOCK_SKEW).getEpochSecond()) {
            return "token of " + who + " expired at " + Instant.ofEpochSecond(token.expirySeconds()) + " (now "
                    + now.truncatedTo(ChronoUnit.SECONDS) + ", clock skew allowed " + CLOCK_SKEW.toMinutes()
                    + " minutes)";
        }
        return null;
    }

    private static boolean signedByEither(SasToken token, Identity identity) {
        Set<String> resources = signedResourceVariants(token);
        boolean matched = false;
        // No early exit: every key and variant costs the same, matched or not.
        for (String key : new String[] {identity.primaryKey(), identity.secondaryKey()}) {
            byte[] keyBytes = Base64.getDecoder().decode(key);
            for (String resource : resources) {
                byte[] expected = SasSignature.compute(keyBytes, resource, token.expiry());
                matched |= MessageDigest.isEqual(expected, token.signature());
            }
        }
        return matched;
    }

    /**
     * SDKs differ in how they URL-encode the audience; each signs the {@code sr} it sends, but some
     * proxies and clients re-encode it. Accept the text as sent and the two common canonical forms.
     */
    private static Set<String> signedResourceVariants(SasToken token) {
        Set<String> variants = new LinkedHashSet<>(4);
        variants.add(token.resource());
        String upper = UrlCoding.encode(token.audience());
        variants.add(upper);
        variants.add(UrlCoding.lowerCaseEscapes(upper));
        return variants;
    }
}
