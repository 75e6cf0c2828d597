package io.gatehouse.upstream.internal;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Presents the edge device's one certificate whenever the parent asks for a client certificate of
 * its key type, whatever issuers the parent names: the parent recognises a device certificate by its
 * thumbprint, so a self-signed one is never among the CAs it lists (the JDK's own key manager would
 * then send none). Never a server.
 */
final class DeviceKeyManager extends X509ExtendedKeyManager {
    static final String ALIAS = "gatehouse-device";

    private final X509Certificate[] chain;
    private final PrivateKey key;

    DeviceKeyManager(X509Certificate[] chain, PrivateKey key) {
        this.chain = chain.clone();
        this.key = key;
    }

    /** TLS 1.3 asks per signature scheme ({@code EC}, {@code RSA}, {@code EdDSA}…), TLS 1.2 per key type. */
    private boolean fits(String keyType) {
        String algorithm = key.getAlgorithm();
        return keyType != null && (keyType.equals(algorithm) || keyType.startsWith(algorithm + "_"));
    }

    private String choose(String[] keyTypes) {
        if (keyTypes == null) return null;
        for (String t : keyTypes) {
            if (fits(t)) return ALIAS;
        }
        return null;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return fits(keyType) ? new String[] {ALIAS} : null;
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        return choose(keyTypes);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        return choose(keyTypes);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return null;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return ALIAS.equals(alias) ? chain.clone() : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return ALIAS.equals(alias) ? key : null;
    }
}
