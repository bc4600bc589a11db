package io.pickbox.trust;

import java.util.Locale;

/** What a member may do in the cluster, as its certificate's OU says. */
public enum Role {
    VOTER, LEARNER;

    /** The OU value naming this role in a certificate. */
    public String ou() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The role an OU value names; {@link IllegalArgumentException} for anything else. */
    public static Role ofOu(String ou) {
        for (Role role : values()) {
            if (role.ou().equals(ou)) {
                return role;
            }
        }
        throw new IllegalArgumentException("certificate names role '" + ou + "', not voter or learner");
    }
}
