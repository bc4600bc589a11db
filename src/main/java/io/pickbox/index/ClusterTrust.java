package io.pickbox.index;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The replicated part of the cluster's identity: pending invites (by the hash of their secret),
 * the certificates the cluster issued, and those it revoked. Every decision is made from the
 * committed time an op carries, never from this node's clock, so all nodes decide alike. Expired
 * invites and certificates are dropped as time passes, so the state stays small.
 */
public final class ClusterTrust {

    /** Outstanding invites at most: a cluster needs a handful, not thousands. */
    static final int MAX_INVITES = 1000;
    /** An expired invite is remembered this long, so using it late is told "expired", not "unknown". */
    static final long EXPIRED_INVITE_MEMORY_MILLIS = 7L * 24 * 3600 * 1000;

    /** A certificate the cluster issued. */
    public record Certificate(String nodeId, String serial, long notAfterMillis, boolean learner) {}

    private record Invite(long expiresAtMillis, boolean learner) {}

    private final TreeMap<String, Invite> invites = new TreeMap<>();
    private final TreeMap<String, Certificate> issued = new TreeMap<>();
    /** Revoked serials, with the time their certificate expires (after which it is refused anyway). */
    private final TreeMap<String, Long> revoked = new TreeMap<>();
    /** Read on TLS handshakes: an immutable copy, so a handshake never waits for apply. */
    private volatile Set<String> revokedView = Set.of();

    synchronized Result apply(TrustChange change, long at) {
        expire(at);
        if (change instanceof TrustChange.Invite i) {
            if (invites.size() >= MAX_INVITES) return Result.rejected(null, "too many outstanding invites (" + MAX_INVITES + ")");
            if (i.expiresAtMillis() <= at) return Result.rejected(null, "the invite expires before it is made");
            invites.put(i.secretHash(), new Invite(i.expiresAtMillis(), i.learner()));
            return Result.applied(null, 0);
        }
        if (change instanceof TrustChange.Admit a) {
            if (a.usesInvite()) {
                Invite invite = invites.get(a.inviteHash());
                if (invite == null) return Result.rejected(null, "unknown or already used invite token");
                if (invite.expiresAtMillis() <= at) return Result.rejected(null, "the invite token expired");
                if (invite.learner() && !a.learner()) return Result.rejected(null, "the invite admits a learner only");
                invites.remove(a.inviteHash());
            }
            if (revoked.containsKey(a.serial())) return Result.rejected(null, "certificate serial was revoked");
            issued.put(a.serial(), new Certificate(a.nodeId(), a.serial(), a.notAfterMillis(), a.learner()));
            return Result.applied(null, 0);
        }
        TrustChange.Revoke r = (TrustChange.Revoke) change;
        int n = 0;
        for (Certificate c : new ArrayList<>(issued.values())) {
            if (c.nodeId().equals(r.nodeId())) {
                issued.remove(c.serial());
                revoked.put(c.serial(), c.notAfterMillis());
                n++;
            }
        }
        revokedView = Set.copyOf(revoked.keySet());
        return new Result(Result.Status.APPLIED, null, 0, n + " certificate(s) of " + r.nodeId() + " revoked");
    }

    private void expire(long at) {
        invites.values().removeIf(i -> i.expiresAtMillis() + EXPIRED_INVITE_MEMORY_MILLIS <= at);
        issued.values().removeIf(c -> c.notAfterMillis() <= at);
        if (revoked.values().removeIf(notAfter -> notAfter <= at)) revokedView = Set.copyOf(revoked.keySet());
    }

    /** Whether the certificate with this serial (lowercase hex) was revoked. */
    public boolean isRevoked(String serial) {
        return revokedView.contains(serial);
    }

    /**
     * Whether an invite with this secret hash could be used at {@code at}: null if so, else why not.
     * A check ahead of the committed decision, which {@link TrustChange.Admit} makes.
     */
    public synchronized String inviteProblem(String secretHash, long at, boolean learner) {
        Invite i = invites.get(secretHash);
        if (i == null) return "unknown or already used invite token";
        if (i.expiresAtMillis() <= at) return "the invite token expired";
        if (i.learner() && !learner) return "the invite admits a learner only";
        return null;
    }

    /** Whether the invite with this secret hash admits a learner only; empty if there is no such invite. */
    public synchronized Optional<Boolean> inviteIsForLearner(String secretHash) {
        Invite i = invites.get(secretHash);
        return i == null ? Optional.empty() : Optional.of(i.learner());
    }

    /** Each node's latest certificate (the one expiring last). */
    public synchronized Map<String, Certificate> latestCertificates() {
        Map<String, Certificate> out = new TreeMap<>();
        for (Certificate c : issued.values()) {
            out.merge(c.nodeId(), c, (a, b) -> a.notAfterMillis() >= b.notAfterMillis() ? a : b);
        }
        return out;
    }

    public synchronized boolean isIssued(String serial) {
        return issued.containsKey(serial);
    }

    public synchronized int pendingInvites() {
        return invites.size();
    }

    // ---------------------------------------------------------------- snapshot form

    synchronized void writeTo(DataOutputStream out) throws IOException {
        out.writeInt(invites.size());
        for (var e : invites.entrySet()) {
            out.writeUTF(e.getKey());
            out.writeLong(e.getValue().expiresAtMillis());
            out.writeBoolean(e.getValue().learner());
        }
        out.writeInt(issued.size());
        for (Certificate c : issued.values()) {
            out.writeUTF(c.nodeId());
            out.writeUTF(c.serial());
            out.writeLong(c.notAfterMillis());
            out.writeBoolean(c.learner());
        }
        out.writeInt(revoked.size());
        for (var e : revoked.entrySet()) {
            out.writeUTF(e.getKey());
            out.writeLong(e.getValue());
        }
    }

    synchronized void readFrom(DataInputStream in) throws IOException {
        clear();
        int n = in.readInt();
        for (int i = 0; i < n; i++) invites.put(in.readUTF(), new Invite(in.readLong(), in.readBoolean()));
        n = in.readInt();
        for (int i = 0; i < n; i++) {
            Certificate c = new Certificate(in.readUTF(), in.readUTF(), in.readLong(), in.readBoolean());
            issued.put(c.serial(), c);
        }
        n = in.readInt();
        for (int i = 0; i < n; i++) revoked.put(in.readUTF(), in.readLong());
        revokedView = Set.copyOf(revoked.keySet());
    }

    synchronized void copyFrom(ClusterTrust other) {
        if (other == this) return;
        clear();
        synchronized (other) {
            invites.putAll(other.invites);
            issued.putAll(other.issued);
            revoked.putAll(other.revoked);
        }
        revokedView = Set.copyOf(revoked.keySet());
    }

    synchronized void clear() {
        invites.clear();
        issued.clear();
        revoked.clear();
        revokedView = Set.of();
    }

    /** A copy, for a snapshot taken while apply goes on. */
    synchronized ClusterTrust copy() {
        ClusterTrust c = new ClusterTrust();
        c.copyFrom(this);
        return c;
    }

    @Override
    public synchronized boolean equals(Object o) {
        if (!(o instanceof ClusterTrust t)) return false;
        synchronized (t) {
            return invites.equals(t.invites) && issued.equals(t.issued) && revoked.equals(t.revoked);
        }
    }

    @Override
    public synchronized int hashCode() {
        return invites.hashCode() * 31 + issued.hashCode();
    }
}
