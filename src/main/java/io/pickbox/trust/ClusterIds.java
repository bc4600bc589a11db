package io.pickbox.trust;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** A cluster's id: made once, when the first node creates the cluster, and named in every certificate. */
public final class ClusterIds {

    private static final Pattern VALID = Pattern.compile("[0-9a-f]{32}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private ClusterIds() {
    }

    /** 128 random bits as 32 lowercase hex characters. */
    public static String newClusterId() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    public static boolean isValid(String id) {
        return id != null && VALID.matcher(id).matches();
    }

    static String requireValid(String id) {
        if (!isValid(id)) {
            throw new IllegalArgumentException("not a cluster id (32 lowercase hex characters): " + id);
        }
        return id;
    }
}
