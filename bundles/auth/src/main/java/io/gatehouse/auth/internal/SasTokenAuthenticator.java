package io.gatehouse.auth.internal;

import io.gatehouse.api.identity.AuthenticationResult;
import io.gatehouse.api.identity.Authenticator;
import io.gatehouse.api.identity.Identity;
import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.identity.IdentityRegistry;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Authenticates devices and modules with SAS tokens signed by their own primary or secondary
 * key, as edgeHub does in scope mode. A module cannot sign with its device's key
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

    private final IdentityRegistry registry;
    private final Clock clock;
    private volatile Hosts hosts;

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
        SasToken token;
        Audience audience;
        try {
            token = SasToken.parse(sasToken);
            audience = Audience.parse(token.audience());
        } catch (MalformedTokenException malformed) {
            return AuthenticationResult.failure("malformed SAS token for " + who + ": " + malformed.getMessage());
        }
        Hosts accepted = hosts;
        if (!accepted.accepts(audience.host())) {
            return AuthenticationResult.failure("token audience host " + LogSafe.quote(audience.host())
                    + " is not accepted for " + who + ": expected the IoT hub host " + LogSafe.quote(accepted.iotHub())
                    + " or the gateway host " + LogSafe.quote(accepted.gateway()));
        }
        if (!audience.names(claimed)) {
            return AuthenticationResult.failure("token audience names identity "
                    + LogSafe.quote(audience.identity().toString()) + ", but the client claims to be " + who);
        }
        Optional<Identity> registered = registry.get(claimed);
        if (registered.isEmpty()) {
            return AuthenticationResult.failure("unknown identity " + who + " (not registered)");
        }
        Instant now = clock.instant();
        if (token.expirySeconds() <= now.minus(CLOCK_SKEW).getEpochSecond()) {
            return AuthenticationResult.failure("token of " + who + " expired at "
                    + Instant.ofEpochSecond(token.expirySeconds()) + " (now " + now.truncatedTo(ChronoUnit.SECONDS)
                    + ", clock skew allowed " + CLOCK_SKEW.toMinutes() + " minutes)");
        }
        if (!signedByEither(token, registered.get())) {
            return AuthenticationResult.failure("token signature of " + who
                    + " matches neither its primary nor its secondary key");
        }
        return AuthenticationResult.success(claimed);
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
