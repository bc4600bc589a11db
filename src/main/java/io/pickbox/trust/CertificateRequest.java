package io.pickbox.trust;

import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

import javax.security.auth.x500.X500Principal;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.List;

/** A PKCS#10 request made by a node for its own key: the key never leaves the node, only this request does. */
public final class CertificateRequest {

    private static final String PEM_TYPE = "CERTIFICATE REQUEST";

    private final PKCS10CertificationRequest request;
    private final String nodeId;
    private final List<String> addresses;

    private CertificateRequest(PKCS10CertificationRequest request) {
        this.request = request;
        this.nodeId = CertNames.requireNodeId(CertNames.commonName(principal(request)));
        this.addresses = addressesOf(request);
    }

    /** A request naming the node and the addresses peers dial it by (each an IP literal or a DNS name), signed by its key. */
    public static CertificateRequest create(KeyPair keys, String nodeId, List<String> addresses) {
        GeneralName[] names = addresses.stream().map(Addresses::require).map(Addresses::generalName).toArray(GeneralName[]::new);
        try {
            var builder = new JcaPKCS10CertificationRequestBuilder(CertNames.request(nodeId), keys.getPublic());
            if (names.length > 0) {
                ExtensionsGenerator extensions = new ExtensionsGenerator();
                extensions.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
                builder.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate());
            }
            return new CertificateRequest(builder.build(X509.signer(keys.getPrivate())));
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode the names of a certificate request", e);
        }
    }

    public static CertificateRequest fromPem(String pem) {
        List<byte[]> blocks = Pem.blocks(pem == null ? "" : pem, PEM_TYPE);
        if (blocks.size() != 1) {
            throw new IllegalArgumentException("not a certificate request: expected one -----BEGIN " + PEM_TYPE + "----- block, found "
                    + blocks.size());
        }
        PKCS10CertificationRequest request;
        try {
            request = new PKCS10CertificationRequest(blocks.get(0));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("damaged certificate request: " + e.getMessage(), e);
        }
        try {
            return new CertificateRequest(request);
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (RuntimeException e) {
            // the parser reads the names only when asked, and refuses damaged ones with exceptions of its own
            throw new IllegalArgumentException("damaged certificate request: " + e.getMessage(), e);
        }
    }

    public String pem() {
        try {
            return Pem.encode(PEM_TYPE, request.getEncoded());
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode a certificate request", e);
        }
    }

    public String nodeId() {
        return nodeId;
    }

    /** The IP and DNS names requested, in the request's order. */
    public List<String> addresses() {
        return addresses;
    }

    /** Whether the request was signed by the key it asks a certificate for: the proof the requester holds that key. */
    boolean signatureIsValid() {
        try {
            return request.isSignatureValid(new JcaContentVerifierProviderBuilder().build(publicKey()));
        } catch (OperatorCreationException | PKCSException | IllegalArgumentException | IllegalStateException e) {
            return false; // a damaged signature or key: the parser refuses some with an IllegalStateException
        }
    }

    SubjectPublicKeyInfo subjectPublicKeyInfo() {
        return request.getSubjectPublicKeyInfo();
    }

    PublicKey publicKey() {
        try {
            String algorithm = request.getSubjectPublicKeyInfo().getAlgorithm().getAlgorithm()
                    .equals(X9ObjectIdentifiers.id_ecPublicKey) ? "EC" : "RSA";
            return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(request.getSubjectPublicKeyInfo().getEncoded()));
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("the certificate request carries an unreadable public key: " + e.getMessage(), e);
        }
    }

    private static X500Principal principal(PKCS10CertificationRequest request) {
        try {
            return new X500Principal(request.getSubject().getEncoded());
        } catch (IOException e) {
            throw new IllegalArgumentException("damaged certificate request subject", e);
        }
    }

    private static List<String> addressesOf(PKCS10CertificationRequest request) {
        Extensions extensions = request.getRequestedExtensions();
        GeneralNames names = extensions == null ? null : GeneralNames.fromExtensions(extensions, Extension.subjectAlternativeName);
        if (names == null) {
            return List.of();
        }
        List<String> addresses = new ArrayList<>();
        for (GeneralName name : names.getNames()) {
            addresses.add(switch (name.getTagNo()) {
                case GeneralName.dNSName -> Addresses.require(((ASN1String) name.getName()).getString());
                case GeneralName.iPAddress -> ipAddress(ASN1OctetString.getInstance(name.getName()).getOctets());
                default -> throw new IllegalArgumentException("the certificate request asks for a name Pickbox does not issue (" + name + ")");
            });
        }
        return List.copyOf(addresses);
    }

    private static String ipAddress(byte[] octets) {
        try {
            return InetAddress.getByAddress(octets).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("the certificate request names an IP address of " + octets.length + " bytes", e);
        }
    }
}
