package io.gatehouse.api.identity;

import java.time.Instant;
import org.osgi.annotation.versioning.ProviderType;

/** Makes shared access signature tokens, for connections this gateway opens on someone's behalf. */
@ProviderType
public interface SasTokenSigner {

    /**
     * A token {@code SharedAccessSignature sr=…&sig=…&se=…} for the audience
     * {@code {hostName}/devices/{d}[/modules/{m}]} of {@code identity}, signed with
     * {@code base64Key} and valid until {@code expiry} (reference §5.5).
     *
     * @throws IllegalArgumentException when the key is not base64
     */
    String sign(String hostName, IdentityId identity, String base64Key, Instant expiry);
}
