package io.gatehouse.upstream.internal;

import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

/**
 * Reads a PEM private key with the JDK alone: PKCS#8 ({@code BEGIN PRIVATE KEY}), and the
 * traditional OpenSSL forms {@code BEGIN RSA PRIVATE KEY} (PKCS#1) and {@code BEGIN EC PRIVATE KEY}
 * (SEC1), which are wrapped into PKCS#8 with the algorithm identifier of the certificate's own
 * public key (the JDK's key factories read PKCS#8 only). Encrypted keys are refused. Error messages
 * describe the file's form, never its content.
 */
final class PemPrivateKeys {
    private static final byte SEQUENCE = 0x30;
    private static final byte INTEGER = 0x02;
    private static final byte OCTET_STRING = 0x04;

    private PemPrivateKeys() {
    }

    /**
     * The private key in {@code pem}, for a certificate whose public key is {@code certificateKey}.
     *
     * @throws IllegalArgumentException why it cannot be used (the form, never key material)
     */
    static PrivateKey read(String pem, PublicKey certificateKey) {
        String algorithm = certificateKey.getAlgorithm();
        int from = 0;
        while (true) {
            int begin = pem.indexOf("-----BEGIN ", from);
            if (begin < 0) break;
            int labelEnd = pem.indexOf("-----", begin + 11);
            if (labelEnd < 0) break;
            String label = pem.substring(begin + 11, labelEnd).strip();
            String end = "-----END " + label + "-----";
            int endAt = pem.indexOf(end, labelEnd);
            if (endAt < 0) throw new IllegalArgumentException("its " + label + " block has no END line");
            String body = pem.substring(labelEnd + 5, endAt);
            from = endAt + end.length();
            switch (label) {
                case "PRIVATE KEY" -> {
                    return generate(algorithm, base64(body, label), "a PKCS#8 key");
                }
                case "RSA PRIVATE KEY", "EC PRIVATE KEY" -> {
                    if (body.contains("ENCRYPTED")) throw encrypted(label);
                    String traditional = label.substring(0, label.indexOf(' '));
                    if (!traditional.equals(algorithm)) {
                        throw new IllegalArgumentException("it holds an " + traditional + " key, but the certificate's key is "
                                + algorithm);
                    }
                    return generate(algorithm, pkcs8(algorithmIdentifier(certificateKey), base64(body, label)),
                            "an " + label);
                }
                case "ENCRYPTED PRIVATE KEY" -> throw encrypted(label);
                case "EC PARAMETERS" -> {
                    // openssl ecparam -genkey writes the curve before the key: the key names it too
                }
                default -> {
                    if (label.endsWith("PRIVATE KEY")) {
                        throw new IllegalArgumentException("its " + label + " is not a form read here (PRIVATE KEY, RSA "
                                + "PRIVATE KEY or EC PRIVATE KEY)");
                    }
                }
            }
        }
        throw new IllegalArgumentException("it holds no PEM private key (BEGIN PRIVATE KEY, BEGIN RSA PRIVATE KEY or "
                + "BEGIN EC PRIVATE KEY)");
    }

    private static IllegalArgumentException encrypted(String label) {
        return new IllegalArgumentException("its " + label + " is encrypted; give the key unencrypted, e.g. "
                + "`openssl pkcs8 -topk8 -nocrypt`, and protect the file by its permissions");
    }

    private static byte[] base64(String body, String label) {
        StringBuilder text = new StringBuilder(body.length());
        for (String line : body.split("\r?\n")) {
            if (line.indexOf(':') < 0) text.append(line.strip());
        }
        try {
            return Base64.getDecoder().decode(text.toString());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("its " + label + " block is not valid base64");
        }
    }

    private static PrivateKey generate(String algorithm, byte[] pkcs8, String form) {
        try {
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (GeneralSecurityException | RuntimeException e) {
            // the cause's text may quote the encoding: left out
            throw new IllegalArgumentException("it holds " + form + " that is not a readable " + algorithm
                    + " private key (the certificate's key is " + algorithm + ")");
        }
    }

    /** The AlgorithmIdentifier at the start of a SubjectPublicKeyInfo (the key's algorithm and, for EC, its curve). */
    static byte[] algorithmIdentifier(PublicKey key) {
        byte[] spki = key.getEncoded();
        if (spki == null || spki.length < 2 || spki[0] != SEQUENCE) {
            throw new IllegalArgumentException("the certificate's public key has no X.509 encoding");
        }
        int[] outer = header(spki, 0);
        int[] inner = header(spki, outer[0]);
        if (spki[outer[0]] != SEQUENCE) throw new IllegalArgumentException("the certificate's public key is malformed");
        int length = inner[0] + inner[1] - outer[0];
        byte[] id = new byte[length];
        System.arraycopy(spki, outer[0], id, 0, length);
        return id;
    }

    /** PrivateKeyInfo ::= SEQUENCE { version 0, AlgorithmIdentifier, privateKey OCTET STRING }. */
    static byte[] pkcs8(byte[] algorithmIdentifier, byte[] traditional) {
        ByteArrayOutputStream content = new ByteArrayOutputStream(traditional.length + algorithmIdentifier.length + 8);
        content.writeBytes(new byte[] {INTEGER, 1, 0});
        content.writeBytes(algorithmIdentifier);
        content.writeBytes(tlv(OCTET_STRING, traditional));
        return tlv(SEQUENCE, content.toByteArray());
    }

    private static byte[] tlv(byte tag, byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(value.length + 6);
        out.write(tag);
        int n = value.length;
        if (n < 0x80) {
            out.write(n);
        } else {
            int bytes = n > 0xFFFFFF ? 4 : n > 0xFFFF ? 3 : n > 0xFF ? 2 : 1;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) out.write(n >>> (8 * i));
        }
        out.writeBytes(value);
        return out.toByteArray();
    }

    /** {start of the content, its length} of the DER element at {@code offset}. */
    private static int[] header(byte[] der, int offset) {
        if (offset + 2 > der.length) throw new IllegalArgumentException("the certificate's public key is truncated");
        int first = der[offset + 1] & 0xFF;
        int start = offset + 2;
        int length;
        if (first < 0x80) {
            length = first;
        } else {
            int bytes = first & 0x7F;
            if (bytes == 0 || bytes > 4 || start + bytes > der.length) {
                throw new IllegalArgumentException("the certificate's public key is malformed");
            }
            length = 0;
            for (int i = 0; i < bytes; i++) length = (length << 8) | (der[start + i] & 0xFF);
            start += bytes;
        }
        if (length < 0 || start + length > der.length) {
            throw new IllegalArgumentException("the certificate's public key is truncated");
        }
        return new int[] {start, length};
    }
}
