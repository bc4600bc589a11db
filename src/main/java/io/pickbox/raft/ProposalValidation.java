package io.pickbox.raft;

import io.pickbox.folder.Hashing;
import io.pickbox.folder.InvalidPathException;
import io.pickbox.folder.PathValidator;
import io.pickbox.index.Op;
import io.pickbox.index.TrustChange;
import io.pickbox.transfer.BlobStore;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

import java.util.List;

/**
 * The leader's checks of a proposal before it enters the log. Only what needs no state (shape,
 * sizes, path syntax, the hashes of the bytes carried): the leader's applied state lags its own
 * log, so every check that depends on state is decided in apply instead.
 */
final class ProposalValidation {

    private static final int MAX_CHUNK = PickboxStateMachine.MAX_CHUNK;

    private ProposalValidation() {}

    /** Checks that need no state: shape, sizes, path syntax, hashes of the bytes carried. */
    static void validate(Proposal p) {
        if (p.ops().size() == 1) {
            validate(p.op(), p.data());
            return;
        }
        if (p.data().size() > MAX_CHUNK) throw new IllegalArgumentException("a batch carries 1 MiB of file data at most");
        List<ByteString> data = p.dataPerOp();
        for (int i = 0; i < p.ops().size(); i++) validate(p.ops().get(i), data.get(i));
    }

    private static void validate(Op op, ByteString data) {
        boolean mayCarryData = switch (op.type()) {
            case CHUNK, PUT -> true;
            case MKDIR, DELETE, RENAME, META, HELLO, TRUST, RESTORE, HISTORY -> false;
        };
        if (!mayCarryData) noData(data);
        validateFields(op, data);
        // Chunks have no origin: they are idempotent by hash.
        if (op.type() != Op.Type.CHUNK) requireOrigin(op.origin());
    }

    /** The checks particular to each kind of op. */
    private static void validateFields(Op op, ByteString data) {
        int dataLen = data.size();
        op.accept(new Op.Cases<Void>() {
            @Override
            public Void chunk(Op.Chunk c) {
                if (dataLen == 0 || dataLen > MAX_CHUNK || dataLen != c.length()) {
                    throw new IllegalArgumentException("chunk of " + dataLen + " bytes (1 MiB at most, and as declared)");
                }
                requireHash(c.sha256(), data);
                return null;
            }

            @Override
            public Void put(Op.Put put) {
                path(put.path());
                if (put.size() < 0) throw new IllegalArgumentException("negative size");
                long expectedChunks = (put.size() + MAX_CHUNK - 1) / MAX_CHUNK;
                if (put.chunks().size() != expectedChunks) {
                    throw new IllegalArgumentException(put.chunks().size() + " chunks for " + put.size() + " bytes");
                }
                if (!BlobStore.isHash(put.sha256()) || !put.chunks().stream().allMatch(BlobStore::isHash)) {
                    throw new IllegalArgumentException("malformed hash");
                }
                if (put.inline()) {
                    if (dataLen != put.size() || dataLen == 0 || dataLen > MAX_CHUNK) {
                        throw new IllegalArgumentException("inline data of " + dataLen + " bytes for a " + put.size() + "-byte file");
                    }
                    requireHash(put.sha256(), data);
                    if (!put.chunks().get(0).equals(put.sha256())) throw new IllegalArgumentException("inline chunk must be the file's hash");
                } else {
                    noData(data);
                }
                return null;
            }

            @Override
            public Void mkdir(Op.Mkdir m) {
                path(m.path());
                return null;
            }

            @Override
            public Void delete(Op.Delete d) {
                path(d.path());
                return null;
            }

            @Override
            public Void rename(Op.Rename r) {
                path(r.from());
                path(r.to());
                return null;
            }

            @Override
            public Void meta(Op.Meta m) {
                path(m.path());
                return null;
            }

            @Override
            public Void hello(Op.Hello h) {
                if (!h.peerAddress().matches("[A-Za-z0-9.:\\[\\]-]{1,255}")) {
                    throw new IllegalArgumentException("bad peer address " + h.peerAddress());
                }
                return null;
            }

            @Override
            public Void trust(Op.Trust t) {
                TrustChange c = t.change();
                if (c instanceof TrustChange.Invite i) {
                    secretHash(i.secretHash());
                } else if (c instanceof TrustChange.Admit a) {
                    nodeId(a.nodeId());
                    if (!a.serial().matches("[0-9a-f]{1,64}")) throw new IllegalArgumentException("bad certificate serial");
                    if (a.usesInvite()) secretHash(a.inviteHash());
                } else {
                    nodeId(((TrustChange.Revoke) c).nodeId());
                }
                return null;
            }

            @Override
            public Void restore(Op.Restore r) {
                if (!r.path().isEmpty()) path(r.path());
                if (r.to() != null) path(r.to());
                if (r.after() != null) path(r.after());
                if (r.version() < 0 || r.seen() < 0) throw new IllegalArgumentException("negative version");
                if (r.version() == 0 && (r.atMillis() <= 0 || r.to() != null)) {
                    throw new IllegalArgumentException("a restore names a version, or a time (and no destination)");
                }
                return null;
            }

            @Override
            public Void history(Op.History h) {
                if (h.days() < -1 || h.maxBytes() < -1 || h.purgeBefore() < 0) throw new IllegalArgumentException("bad history settings");
                return null;
            }
        });
    }

    private static void secretHash(String hash) {
        if (!BlobStore.isHash(hash)) throw new IllegalArgumentException("bad invite hash");
    }

    private static void nodeId(String id) {
        if (!id.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")) throw new IllegalArgumentException("bad node id " + id);
    }

    private static void noData(ByteString data) {
        if (!data.isEmpty()) throw new IllegalArgumentException("unexpected data");
    }

    private static void requireOrigin(Op.Origin origin) {
        if (origin == null || origin.node() == null || origin.node().isEmpty() || origin.node().length() > 64) {
            throw new IllegalArgumentException("bad origin");
        }
    }

    private static void path(String path) {
        try {
            if (!PathValidator.normalize(path).equals(path)) throw new IllegalArgumentException("path not canonical: " + path);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    private static void requireHash(String sha256, ByteString data) {
        if (!Hashing.sha256Hex(data.asReadOnlyByteBuffer()).equals(sha256)) {
            throw new IllegalArgumentException("data does not match its hash " + sha256);
        }
    }
}
