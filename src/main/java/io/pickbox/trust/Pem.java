package io.pickbox.trust;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** PEM text of certificates and PKCS#8 private keys, the forms Ratis, Netty and openssl all read. */
public final class Pem {

    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");
    private static final Map<ASN1ObjectIdentifier, String> KEY_ALGORITHMS = Map.of(
            X9ObjectIdentifiers.id_ecPublicKey, "EC",
            PKCSObjectIdentifiers.rsaEncryption, "RSA",
            PKCSObjectIdentifiers.id_RSASSA_PSS, "RSASSA-PSS",
            EdECObjectIdentifiers.id_Ed25519, "Ed25519",
            EdECObjectIdentifiers.id_Ed448, "Ed448");

    private Pem() {
    }

    public static String certificate(X509Certificate certificate) {
        try {
            return encode("CERTIFICATE", certificate.getEncoded());
        } catch (CertificateException e) {
            throw new IllegalArgumentException("certificate cannot be encoded", e);
        }
    }

    public static String certificates(List<X509Certificate> chain) {
        StringBuilder text = new StringBuilder();
        chain.forEach(certificate -> text.append(certificate(certificate)));
        return text.toString();
    }

    /** Every certificate in the text, in order; {@link IllegalArgumentException} if there is none or one is damaged. */
    public static List<X509Certificate> readCertificates(String pem) {
        List<X509Certificate> certificates = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (byte[] der : blocks(pem, "CERTIFICATE")) {
                certificates.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
            }
        } catch (CertificateException e) {
            throw new IllegalArgumentException("damaged certificate in PEM text: " + e.getMessage(), e);
        }
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException("no certificate (-----BEGIN CERTIFICATE-----) in the PEM text");
        }
        return List.copyOf(certificates);
    }

    /** The key as unencrypted PKCS#8 ("BEGIN PRIVATE KEY"). */
    public static String privateKey(PrivateKey key) {
        if (!"PKCS#8".equals(key.getFormat())) {
            throw new IllegalArgumentException("key has no PKCS#8 encoding: " + key.getFormat());
        }
        return encode("PRIVATE KEY", key.getEncoded());
    }

    /** Reads an unencrypted PKCS#8 key; other forms are refused with the openssl command that converts them. */
    public static PrivateKey readPrivateKey(String pem) {
        Matcher block = BLOCK.matcher(pem);
        if (!block.find()) {
            throw new IllegalArgumentException("no private key (-----BEGIN PRIVATE KEY-----) in the PEM text");
        }
        if (!"PRIVATE KEY".equals(block.group(1))) {
            throw new IllegalArgumentException("the key is '" + block.group(1) + "', not an unencrypted PKCS#8 'PRIVATE KEY'"
                    + " (convert it with: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8)");
        }
        byte[] der = decode(block.group(2));
        try {
            return KeyFactory.getInstance(keyAlgorithm(der)).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("damaged PKCS#8 private key: " + e.getMessage(), e);
        }
    }

    private static String keyAlgorithm(byte[] pkcs8) {
        ASN1ObjectIdentifier oid;
        try {
            oid = PrivateKeyInfo.getInstance(pkcs8).getPrivateKeyAlgorithm().getAlgorithm();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("damaged PKCS#8 private key: " + e.getMessage(), e);
        }
        String algorithm = KEY_ALGORITHMS.get(oid);
        if (algorithm == null) {
            throw new IllegalArgumentException("private key of an unsupported algorithm (" + oid + ")");
        }
        return algorithm;
    }

    static String encode(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /** The DER contents of every block of the given type. */
    static List<byte[]> blocks(String pem, String type) {
        List<byte[]> blocks = new ArrayList<>();
        Matcher block = BLOCK.matcher(pem);
        while (block.find()) {
            if (block.group(1).equals(type)) {
                blocks.add(decode(block.group(2)));
            }
        }
        return blocks;
    }

    private static byte[] decode(String base64) {
        try {
            return Base64.getMimeDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("damaged PEM text: " + e.getMessage(), e);
        }
    }
}
