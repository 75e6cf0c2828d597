package io.gatehouse.amqp.internal;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.X509TrustManager;

/**
 * The AMQPS listener's judge of client certificates: it lets any certificate through the TLS
 * handshake (which still proves the client holds the certificate's private key) because no CA
 * vouches for a device here. The certificate is judged later, per identity, by the
 * authenticator against the thumbprints registered for it (reference §6.3, self-signed), when a
 * link attaches or a {@code gatehouse:x509} put-token names the identity. Client authentication is
 * optional, so SAS clients, which send no certificate, connect as before.
 */
final class PinnedClientCertificates implements X509TrustManager {

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        if (chain == null || chain.length == 0) throw new CertificateException("the client sent an empty certificate chain");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("the AMQPS listener judges clients only");
    }

    /** None: a client then offers the certificate it has, self-signed as it is, instead of none. */
    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
