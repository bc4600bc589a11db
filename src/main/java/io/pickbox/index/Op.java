package io.pickbox.index;

import java.util.List;

/**
 * The changes the cluster agrees on. Every change carries its origin node and that node's
 * sequence number, so a retried proposal is applied once. Base versions say which committed
 * version the proposer had seen: apply uses them to detect concurrent edits.
 */
public sealed interface Op {

    /** Who proposed an op, and its place in that node's ordered stream of proposals. */
    record Origin(String node, long seq) {}

    /** Bytes of one chunk, carried outside the log as Ratis stateMachineData. */
    record Chunk(String sha256, int length) implements Op {}

    /**
     * A file's new content. {@code inline} means this entry itself carries the bytes (one chunk at
     * most); otherwise the chunks were sent ahead as {@link Chunk} entries.
     */
    record Put(Origin origin, String path, long size, String sha256, List<String> chunks,
               int mode, long mtime, long base, boolean inline) implements Op {
        public Put {
            chunks = List.copyOf(chunks);
        }
    }

    record Mkdir(Origin origin, String path, int mode, long mtime) implements Op {}

    /**
     * Removes a file (when still at {@code base}) or a directory tree: for a directory, only
     * entries not changed after version {@code seen} go, so concurrent edits inside survive.
     */
    record Delete(Origin origin, String path, long base, long seen) implements Op {}

    record Rename(Origin origin, String from, String to, long srcBase, long dstBase) implements Op {}

    /** Mode or mtime changed, content did not: no data is sent. */
    record Meta(Origin origin, String path, int mode, long mtime, long base) implements Op {}

    /** The op's origin, or null for a chunk (chunks are idempotent by hash and need none). */
    static Origin originOf(Op op) {
        if (op instanceof Put p) return p.origin();
        if (op instanceof Mkdir m) return m.origin();
        if (op instanceof Delete d) return d.origin();
        if (op instanceof Rename r) return r.origin();
        if (op instanceof Meta m) return m.origin();
        if (op instanceof Hello h) return h.origin();
        return null;
    }

    /** The same op from {@code origin} (ops get their sequence number as they are sent, in send order). */
    static Op withOrigin(Op op, Origin origin) {
        if (op instanceof Put p) return new Put(origin, p.path(), p.size(), p.sha256(), p.chunks(), p.mode(), p.mtime(), p.base(), p.inline());
        if (op instanceof Mkdir m) return new Mkdir(origin, m.path(), m.mode(), m.mtime());
        if (op instanceof Delete d) return new Delete(origin, d.path(), d.base(), d.seen());
        if (op instanceof Rename r) return new Rename(origin, r.from(), r.to(), r.srcBase(), r.dstBase());
        if (op instanceof Meta m) return new Meta(origin, m.path(), m.mode(), m.mtime(), m.base());
        if (op instanceof Hello h) return new Hello(origin, h.adminAddress());
        return op;
    }

    /** A node announces where its admin API listens (peers fetch chunks there). */
    record Hello(Origin origin, String adminAddress) implements Op {}

    static String describe(Op op) {
        if (op instanceof Put p) return "PUT " + p.path();
        if (op instanceof Mkdir m) return "MKDIR " + m.path();
        if (op instanceof Delete d) return "DELETE " + d.path();
        if (op instanceof Rename r) return "RENAME " + r.from() + " -> " + r.to();
        if (op instanceof Meta m) return "META " + m.path();
        if (op instanceof Chunk c) return "CHUNK " + c.sha256();
        return op.toString();
    }
}
