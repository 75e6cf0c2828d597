package io.gatehouse.auth.internal;

import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.identity.SasTokenSigner;
import java.time.Instant;
import java.util.Base64;
import org.osgi.service.component.annotations.Component;

/**
 * Signs SAS tokens the way the Azure SDKs do, with the same code the authenticator checks them
 * against, so a token made here is accepted by a hub running this bundle.
 */
@Component(service = SasTokenSigner.class)
public class HmacSasTokenSigner implements SasTokenSigner {

    @Override
    public String sign(String hostName, IdentityId identity, String base64Key, Instant expiry) {
        if (hostName == null || hostName.isBlank()) {
            throw new IllegalArgumentException("a host name is required to sign a SAS token");
        }
        if (identity == null) {
            throw new IllegalArgumentException("an identity is required to sign a SAS token");
        }
        if (expiry == null || expiry.getEpochSecond() < 0) {
            throw new IllegalArgumentException("a SAS token expiry must be an instant after 1970-01-01");
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(base64Key == null ? "" : base64Key);
        } catch (IllegalArgumentException notBase64) {
            // The decoder's message names the offending character, a piece of the key.
            throw new IllegalArgumentException("the key to sign a SAS token for " + LogSafe.quote(identity.toString())
                    + " is not valid base64");
        }
        if (key.length == 0) {
            throw new IllegalArgumentException("the key to sign a SAS token for " + LogSafe.quote(identity.toString())
                    + " is empty");
        }
        return SasTokenFactory.create(hostName.strip(), identity, key, expiry.getEpochSecond());
    }
}
