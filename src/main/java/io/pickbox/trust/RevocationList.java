package io.pickbox.trust;

import java.math.BigInteger;

/** The serials of certificates the cluster revoked (members removed); the node updates it from replicated state. */
@FunctionalInterface
public interface RevocationList {

    boolean isRevoked(BigInteger serial);

    RevocationList NONE = serial -> false;
}
