package io.pickbox.trust;

import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.util.IPAddress;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** The addresses a certificate names (IP and DNS subject alternative names) and the host check against them. */
public final class Addresses {

    private static final Pattern DNS_LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    private static final int SAN_DNS = 2;
    private static final int SAN_IP = 7;

    private Addresses() {
    }

    /** The address as a certificate names it: an IP literal (IPv6 without brackets) or a DNS name; refuses anything else. */
    static String require(String address) {
        String stripped = unbracket(address == null ? "" : address.strip());
        if (!IPAddress.isValid(stripped) && !isDnsName(stripped)) {
            throw new IllegalArgumentException("'" + address + "' is neither an IP address nor a DNS name");
        }
        return stripped;
    }

    static GeneralName generalName(String address) {
        return IPAddress.isValid(address)
                ? new GeneralName(GeneralName.iPAddress, address)
                : new GeneralName(GeneralName.dNSName, address);
    }

    /** The IP and DNS names {@code certificate} was issued for; none when they cannot be read. */
    public static List<String> of(java.security.cert.X509Certificate certificate) {
        try {
            return of(certificate.getSubjectAlternativeNames());
        } catch (java.security.cert.CertificateParsingException e) {
            return List.of();
        }
    }

    /** The IP and DNS names of a certificate, in its order. */
    static List<String> of(Collection<List<?>> subjectAlternativeNames) {
        if (subjectAlternativeNames == null) {
            return List.of();
        }
        return subjectAlternativeNames.stream()
                .filter(name -> name.get(0).equals(SAN_DNS) || name.get(0).equals(SAN_IP))
                .map(name -> (String) name.get(1))
                .toList();
    }

    /** Whether the host a client dialled is one of the names: IP addresses compared as addresses, DNS names case-insensitively. */
    public static boolean matches(String host, List<String> names) {
        String wanted = unbracket(host.strip());
        if (IPAddress.isValid(wanted)) {
            InetAddress address = literal(wanted);
            return names.stream().filter(IPAddress::isValid).map(Addresses::literal).anyMatch(address::equals);
        }
        String dns = withoutTrailingDot(wanted).toLowerCase(Locale.ROOT);
        return names.stream().filter(name -> !IPAddress.isValid(name))
                .anyMatch(name -> withoutTrailingDot(name).toLowerCase(Locale.ROOT).equals(dns));
    }

    private static boolean isDnsName(String name) {
        String dns = withoutTrailingDot(name);
        if (dns.isEmpty() || dns.length() > 253) {
            return false;
        }
        for (String label : dns.split("\\.", -1)) {
            if (!DNS_LABEL.matcher(label).matches()) {
                return false;
            }
        }
        return true;
    }

    /** Only ever called with a validated literal, so no name is ever looked up. */
    private static InetAddress literal(String ip) {
        try {
            return InetAddress.getByName(ip);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: " + ip, e);
        }
    }

    private static String unbracket(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private static String withoutTrailingDot(String name) {
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }
}
