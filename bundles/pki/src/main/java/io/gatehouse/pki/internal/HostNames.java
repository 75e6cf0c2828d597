package io.gatehouse.pki.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.util.IPAddress;

/**
 * The names the server certificate must carry as subject alternative names: the gateway host name
 * (also its CN), the operator's extra names, and always {@code localhost} and {@code 127.0.0.1} so
 * that modules on the same machine can connect by loopback.
 */
final class HostNames {

    static final String LOCALHOST = "localhost";
    static final String LOOPBACK_IP = "127.0.0.1";

    private static final Pattern DNS_NAME = Pattern.compile(
            "(\\*\\.)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.?");

    private final String gateway;
    private final Set<String> dnsNames;
    private final Set<String> ipAddresses;

    private HostNames(String gateway, Set<String> dnsNames, Set<String> ipAddresses) {
        this.gateway = gateway;
        this.dnsNames = dnsNames;
        this.ipAddresses = ipAddresses;
    }

    /** @throws IllegalArgumentException naming the setting and the value that is neither a DNS name nor an IP address */
    static HostNames of(String gatewayHostName, String[] extraHostNames) {
        String gateway = gatewayHostName == null ? "" : gatewayHostName.strip();
        if (gateway.isEmpty()) {
            throw new IllegalArgumentException("gatewayHostName must not be empty");
        }
        Set<String> dns = new LinkedHashSet<>();
        Set<String> ips = new LinkedHashSet<>();
        add("gatewayHostName", gateway, dns, ips);
        add("(built in)", LOCALHOST, dns, ips);
        add("(built in)", LOOPBACK_IP, dns, ips);
        if (extraHostNames != null) {
            for (String extra : extraHostNames) {
                if (extra != null && !extra.isBlank()) {
                    add("extraHostNames", extra.strip(), dns, ips);
                }
            }
        }
        return new HostNames(gateway, Set.copyOf(dns), Set.copyOf(ips));
    }

    private static void add(String setting, String name, Set<String> dns, Set<String> ips) {
        if (IPAddress.isValid(name)) {
            ips.add(canonicalIp(name));
        } else if (name.length() <= 253 && DNS_NAME.matcher(name).matches()) {
            dns.add(canonicalDns(name));
        } else {
            throw new IllegalArgumentException(setting + " entry '" + printable(name)
                    + "' is neither a DNS name nor an IP address");
        }
    }

    String gateway() {
        return gateway;
    }

    /** The subject alternative names, DNS names first, in a stable order. */
    GeneralNames subjectAlternativeNames() {
        List<GeneralName> names = new java.util.ArrayList<>();
        dnsNames.stream().sorted().forEach(name -> names.add(new GeneralName(GeneralName.dNSName, name)));
        ipAddresses.stream().sorted().forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip)));
        return new GeneralNames(names.toArray(GeneralName[]::new));
    }

    /** Whether the certificate names exactly these hosts, no more and no fewer. */
    boolean matchedExactlyBy(X509Certificate certificate) {
        Set<String> dns = new LinkedHashSet<>();
        Set<String> ips = new LinkedHashSet<>();
        collect(certificate, dns, ips);
        return dns.equals(dnsNames) && ips.equals(ipAddresses);
    }

    /** Whether the certificate names the gateway host, so clients verifying that host name accept it. */
    boolean gatewayNamedBy(X509Certificate certificate) {
        Set<String> dns = new LinkedHashSet<>();
        Set<String> ips = new LinkedHashSet<>();
        collect(certificate, dns, ips);
        if (IPAddress.isValid(gateway)) {
            return ips.contains(canonicalIp(gateway));
        }
        String host = canonicalDns(gateway);
        return dns.contains(host) || dns.stream().anyMatch(name -> wildcardMatches(name, host));
    }

    @Override
    public String toString() {
        List<String> all = new java.util.ArrayList<>();
        dnsNames.stream().sorted().forEach(all::add);
        ipAddresses.stream().sorted().forEach(all::add);
        return String.join(", ", all);
    }

    private static void collect(X509Certificate certificate, Set<String> dns, Set<String> ips) {
        Collection<List<?>> names;
        try {
            names = certificate.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return;
        }
        if (names == null) {
            return;
        }
        for (List<?> entry : names) {
            int type = (Integer) entry.get(0);
            Object value = entry.get(1);
            if (type == GeneralName.dNSName && value instanceof String name) {
                dns.add(canonicalDns(name));
            } else if (type == GeneralName.iPAddress && value instanceof String ip && IPAddress.isValid(ip)) {
                ips.add(canonicalIp(ip));
            }
        }
    }

    private static boolean wildcardMatches(String pattern, String host) {
        if (!pattern.startsWith("*.")) {
            return false;
        }
        int dot = host.indexOf('.');
        return dot > 0 && host.substring(dot).equals(pattern.substring(1));
    }

    private static String canonicalDns(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }

    private static String canonicalIp(String literal) {
        try {
            // Only reached for a validated literal, so this parses it and never consults DNS.
            return InetAddress.getByName(literal).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + printable(literal) + "' is not an IP address", e);
        }
    }

    static String printable(String text) {
        StringBuilder out = new StringBuilder();
        text.codePoints().limit(120).forEach(c -> out.appendCodePoint(c < 0x20 || c == 0x7f ? '?' : c));
        return text.length() > 120 ? out + "..." : out.toString();
    }
}
