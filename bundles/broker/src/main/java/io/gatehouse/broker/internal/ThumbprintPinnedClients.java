package io.gatehouse.broker.internal;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.X509TrustManager;

/**
 * Lets any client certificate through the TLS handshake, which still proves the client holds its
 * private key: the certificate is judged at CONNECT by the authenticator against the thumbprints
 * registered for the identity (reference §6.3, self-signed), not by a CA here. Clients without a
 * certificate are not asked for one (client authentication is optional: SAS clients send none).
 */
final class ThumbprintPinnedClients implements X509TrustManager {

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        if (chain == null || chain.length == 0) throw new CertificateException("an empty client certificate chain");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("this trust manager only judges clients");
    }

    /** None: a client then offers whatever certificate it has (its self-signed one). */
    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
