package io.gatehouse.headsupport.tls;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.X509TrustManager;

/**
 * Lets any client certificate through the TLS handshake, which still proves the client holds its
 * private key, because no CA vouches for a device here: the certificate is judged later, per
 * identity, by the authenticator against the thumbprints registered for it (reference §6.3,
 * self-signed), when the head learns which identity the client claims. Client authentication is
 * optional, so SAS clients, which send no certificate, connect as before.
 */
public final class ThumbprintPinnedClients implements X509TrustManager {

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        if (chain == null || chain.length == 0) throw new CertificateException("an empty client certificate chain");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("this trust manager only judges clients");
    }

    /** None: a client then offers whatever certificate it has (its self-signed one) instead of none. */
    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
