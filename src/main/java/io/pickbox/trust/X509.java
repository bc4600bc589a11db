package io.pickbox.trust;

import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;

/**
 * The certificate plumbing shared by the CA and the requests. BouncyCastle only builds structures here: signing and
 * parsing go to the JDK's providers, so BouncyCastle's provider is never registered.
 */
final class X509 {

    static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";

    private X509() {
    }

    /** SHA-256 of the DER encoding, 64 lowercase hex characters. */
    static String fingerprint(X509Certificate certificate) {
        try {
            return sha256Hex(certificate.getEncoded());
        } catch (CertificateException e) {
            throw new IllegalArgumentException("certificate cannot be encoded", e);
        }
    }

    static String sha256Hex(byte[] bytes) {
        return HexFormat.of().formatHex(sha256(bytes));
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    static ContentSigner signer(PrivateKey key) {
        try {
            return new JcaContentSignerBuilder(SIGNATURE_ALGORITHM).build(key);
        } catch (OperatorCreationException e) {
            throw new IllegalArgumentException("cannot sign with this " + key.getAlgorithm() + " key: " + e.getMessage(), e);
        }
    }

    static X509Certificate certificate(X509CertificateHolder holder) {
        try {
            return new JcaX509CertificateConverter().getCertificate(holder);
        } catch (CertificateException e) {
            throw new IllegalStateException("the certificate just built does not parse", e);
        }
    }

    /** Refuses a key that is not the one the certificate was made for: a mix-up would only show at the first handshake. */
    static void requireKeyMatches(PrivateKey key, X509Certificate certificate, String what) {
        String algorithm = switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "Ed25519", "Ed448" -> key.getAlgorithm();
            default -> null;
        };
        if (algorithm == null) {
            return;
        }
        try {
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            PublicKey publicKey = certificate.getPublicKey();
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            if (verifier.verify(signature)) {
                return;
            }
        } catch (GeneralSecurityException e) {
            // A key of another algorithm than the certificate's: as much a mismatch as a wrong key.
        }
        throw new IllegalArgumentException(what + ": the private key does not belong to the certificate ("
                + certificate.getSubjectX500Principal() + ")");
    }
}
