package io.gatehouse.pki.internal;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Makes EC P-256 key pairs and the certificates of the edge CA and the hub's server. BouncyCastle
 * builds the certificates; the keys and signatures come from the JDK's own providers, so nothing
 * is registered as a global security provider.
 */
final class CertificateIssuer {

    /** Issue a little in the past, so a client whose clock is slightly behind still accepts a fresh certificate. */
    static final long BACKDATE_SECONDS = 3600;
    private static final String SIGNATURE = "SHA256withECDSA";

    private final SecureRandom random = new SecureRandom();

    record Issued(X509Certificate certificate, KeyPair keys) {
    }

    KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), random);
        return generator.generateKeyPair();
    }

    /** A self-signed CA that may issue end-entity certificates only (path length 0). */
    Issued edgeCa(String commonName, Instant now, Instant notAfter) throws GeneralSecurityException {
        KeyPair keys = newKeyPair();
        X500Name subject = name(commonName);
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial(),
                    Date.from(now.minusSeconds(BACKDATE_SECONDS)), Date.from(notAfter), subject, keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true,
                            new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            extensions.createSubjectKeyIdentifier(keys.getPublic()))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            extensions.createAuthorityKeyIdentifier(keys.getPublic()));
            return new Issued(sign(builder, keys), keys);
        } catch (CertIOException e) {
            throw new GeneralSecurityException("could not encode the CA certificate's extensions", e);
        }
    }

    /** A TLS server certificate for the given host names, signed by the CA and ending no later than it. */
    Issued server(HostNames hosts, Issued ca, Instant now, Instant notAfter) throws GeneralSecurityException {
        KeyPair keys = newKeyPair();
        Instant end = notAfter.isAfter(ca.certificate().getNotAfter().toInstant())
                ? ca.certificate().getNotAfter().toInstant() : notAfter;
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded()), serial(),
                    Date.from(now.minusSeconds(BACKDATE_SECONDS)), Date.from(end), name(hosts.gateway()),
                    keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                    .addExtension(Extension.subjectAlternativeName, false, hosts.subjectAlternativeNames())
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            extensions.createSubjectKeyIdentifier(keys.getPublic()))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            extensions.createAuthorityKeyIdentifier(ca.certificate()));
            return new Issued(sign(builder, ca.keys()), keys);
        } catch (CertIOException e) {
            throw new GeneralSecurityException("could not encode the server certificate's extensions", e);
        }
    }

    private X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer) throws GeneralSecurityException {
        try {
            ContentSigner contentSigner = new JcaContentSignerBuilder(SIGNATURE).build(signer.getPrivate());
            return new JcaX509CertificateConverter().getCertificate(builder.build(contentSigner));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException("could not create a " + SIGNATURE + " signer", e);
        }
    }

    /** X.520 limits a common name to 64 characters; clients match host names against the SANs, not the CN. */
    static String commonName(String name) {
        return name.length() > 64 ? name.substring(0, 64) : name;
    }

    private static X500Name name(String commonName) {
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName(commonName)).build();
    }

    /** 120 random bits, positive and never zero: unpredictable serials, well under the 20-octet limit. */
    private BigInteger serial() {
        byte[] bytes = new byte[15];
        random.nextBytes(bytes);
        bytes[0] |= 0x01;
        return new BigInteger(1, bytes);
    }
}
