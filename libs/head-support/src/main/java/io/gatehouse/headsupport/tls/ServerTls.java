package io.gatehouse.headsupport.tls;

import io.gatehouse.api.tls.EdgeCertificates;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/** The server TLS context of a head's listener, built from {@link EdgeCertificates}, and the certificate it presents. */
public record ServerTls(SslContext context, X509Certificate serverCertificate) {
    /** TLS 1.0 and 1.1 are deprecated (RFC 8996); the reference's default is TLS 1.2 and 1.3 (§5.1). */
    public static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    public static ServerTls build(EdgeCertificates certificates) throws UnusableCertificatesException {
        List<X509Certificate> chain;
        PrivateKey key;
        try {
            chain = certificates.serverCertificateChain();
            key = certificates.serverPrivateKey();
        } catch (RuntimeException e) {
            throw new UnusableCertificatesException("the certificates service failed: " + e);
        }
        if (chain == null || chain.isEmpty() || chain.stream().anyMatch(Objects::isNull)) {
            throw new UnusableCertificatesException("no server certificate chain");
        }
        if (key == null) throw new UnusableCertificatesException("no server private key");
        KeyCertificateMatch.check(key, chain.get(0));
        try {
            return new ServerTls(SslContextBuilder.forServer(key, chain.toArray(X509Certificate[]::new))
                    .sslProvider(SslProvider.JDK)
                    .protocols(PROTOCOLS)
                    // SAS clients send no certificate; an X.509 client's is pinned by thumbprint per identity
                    .clientAuth(ClientAuth.OPTIONAL)
                    .trustManager(new ThumbprintPinnedClients())
                    .build(), chain.get(0));
        } catch (Exception e) {
            throw new UnusableCertificatesException("TLS context could not be built: " + e.getMessage());
        }
    }
}
