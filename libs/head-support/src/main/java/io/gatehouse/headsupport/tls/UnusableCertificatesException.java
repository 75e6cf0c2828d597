package io.gatehouse.headsupport.tls;

/** Certificates a TLS listener cannot present; the message says why and holds no key material. */
public final class UnusableCertificatesException extends Exception {
    private static final long serialVersionUID = 1L;

    public UnusableCertificatesException(String reason) {
        super(reason);
    }
}
