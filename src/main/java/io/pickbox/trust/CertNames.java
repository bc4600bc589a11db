package io.pickbox.trust;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

import javax.security.auth.x500.X500Principal;
import java.util.regex.Pattern;

/**
 * How a Pickbox certificate names its holder. A node: {@code CN=<nodeId>, OU=<voter|learner>, O=pickbox-<clusterId>};
 * the cluster CA: {@code CN=Pickbox cluster CA, O=pickbox-<clusterId>}. Certificates of an operator's own PKI may
 * name anything; only their CN is read, as the node id.
 */
public final class CertNames {

    static final String CA_COMMON_NAME = "Pickbox cluster CA";
    private static final String ORGANIZATION_PREFIX = "pickbox-";
    /** The node ids the node itself accepts. */
    private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    private CertNames() {
    }

    static X500Name node(String nodeId, Role role, String clusterId) {
        // The first RDN added is the most general: X500Principal prints them the other way round.
        return new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, ORGANIZATION_PREFIX + ClusterIds.requireValid(clusterId))
                .addRDN(BCStyle.OU, role.ou())
                .addRDN(BCStyle.CN, requireNodeId(nodeId))
                .build();
    }

    static X500Name ca(String clusterId) {
        return new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, ORGANIZATION_PREFIX + ClusterIds.requireValid(clusterId))
                .addRDN(BCStyle.CN, CA_COMMON_NAME)
                .build();
    }

    /** A signing request names only the node: the CA decides the rest. */
    static X500Name request(String nodeId) {
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, requireNodeId(nodeId)).build();
    }

    static String requireNodeId(String nodeId) {
        if (nodeId == null || !NODE_ID.matcher(nodeId).matches()) {
            throw new IllegalArgumentException("not a node id (a letter or digit, then up to 63 of letters, digits, '_', '.', '-'): "
                    + nodeId);
        }
        return nodeId;
    }

    /** The CN, or null if there is none. */
    static String commonName(X500Principal principal) {
        return value(principal, BCStyle.CN);
    }

    /** The OU, or null if there is none. */
    static String organizationalUnit(X500Principal principal) {
        return value(principal, BCStyle.OU);
    }

    /** The cluster id an {@code O=pickbox-<id>} names; null for any other name. */
    static String clusterId(X500Principal principal) {
        String organization = value(principal, BCStyle.O);
        if (organization == null || !organization.startsWith(ORGANIZATION_PREFIX)) {
            return null;
        }
        String id = organization.substring(ORGANIZATION_PREFIX.length());
        return ClusterIds.isValid(id) ? id : null;
    }

    private static String value(X500Principal principal, ASN1ObjectIdentifier attribute) {
        RDN[] rdns = X500Name.getInstance(principal.getEncoded()).getRDNs(attribute);
        if (rdns.length == 0) {
            return null;
        }
        ASN1Encodable value = rdns[0].getFirst().getValue();
        return value instanceof ASN1String ? ((ASN1String) value).getString() : IETFUtils.valueToString(value);
    }
}
