package io.pickbox.index;

import java.util.List;

/**
 * The changes the cluster agrees on. Every change carries its origin node and that node's
 * sequence number, so a retried proposal is applied once. Base versions say which committed
 * version the proposer had seen: apply uses them to detect concurrent edits.
 *
 * <p>Code that treats each kind of op in its own way dispatches exhaustively, so that a new kind
 * does not compile until every such place handles it: through {@link #accept} when it needs the
 * record's fields, or through a {@code switch} expression over {@link #type()} when it does not.
 */
public sealed interface Op {

    /** The kinds of op, one per record. */
    enum Type { CHUNK, PUT, MKDIR, DELETE, RENAME, META, HELLO, TRUST, RESTORE, HISTORY }

    /** Who proposed an op, and its place in that node's ordered stream of proposals. */
    record Origin(String node, long seq) {
        /**
         * The origin of a chunk, which has none: its bytes are idempotent by hash and take no
         * place in any node's sequence. No committed op carries it (validation refuses an empty
         * node), so it cannot be mistaken for a real node's.
         */
        public static final Origin NONE = new Origin("", 0);

        public boolean isNone() {
            return equals(NONE);
        }
    }

    /** One method per kind of op; {@link #accept} calls the one for the op's record. */
    interface Cases<R> {
        R chunk(Chunk c);

        R put(Put p);

        R mkdir(Mkdir m);

        R delete(Delete d);

        R rename(Rename r);

        R meta(Meta m);

        R hello(Hello h);

        R trust(Trust t);

        R restore(Restore r);

        R history(History h);
    }

    Type type();

    /** Who proposed this op; {@link Origin#NONE} for a chunk. */
    Origin origin();

    /** The same op from {@code origin} (ops get their sequence number as they are sent, in send order); a chunk is itself. */
    Op withOrigin(Origin origin);

    /** A short human description for logs. */
    String describe();

    <R> R accept(Cases<R> cases);

    /** Bytes of one chunk, carried outside the log as Ratis stateMachineData. */
    record Chunk(String sha256, int length) implements Op {
        @Override
        public Type type() {
            return Type.CHUNK;
        }

        @Override
        public Origin origin() {
            return Origin.NONE;
        }

        @Override
        public Chunk withOrigin(Origin origin) {
            return this;
        }

        @Override
        public String describe() {
            return "CHUNK " + sha256;
        }

        @Override
        public <R> R accept(Cases<R> cases) {
            return cases.chunk(this);
        }
    }

    /**
     * A file's new content. {@code inline} means this entry itself carries the bytes (one chunk at
     * most); otherwise the chunks were sent ahead as {@link Chunk} entries.
     */
    record Put(Origin origin, String path, long size, String sha256, List<String> chunks,
               int mode, long mtime, long base, boolean inline) implements Op {
        public Put {
            chunks = List.copyOf(chunks);
        }

        @Override
        public Type type() {
            return Type.PUT;
        }

        @Override
        public Put withOrigin(Origin origin) {
            return new Put(origin, path, size, sha256, chunks, mode, mtime, base, inline);
        }

        @Override
        public String describe() {
            return "PUT " + path;
        }

        @Override
        public <R> R accept(Cases<R> cases) {
            return cases.put(this);
        }
    }

    record Mkdir(Origin origin, String path, int mode, long mtime) implements Op {
        @Override
        public Type type() {
            return Type.MKDIR;
        }

        @Override
        public Mkdir withOrigin(Origin origin) {
            return new Mkdir(origin, path, mode, mtime);
        }

        @Override
        public String describe() {
            return "MKDIR " + path;
        }

        @Override
        public <R> R accept(Cases<R> cases) {
            return cases.mkdir(this);
        }
    }

    /**
     * Removes a file (when still at {@code base}) or a directory tree: for a directory, only
     * entries not changed after version {@code seen} go, so concurrent edits inside survive.
     */
    record Delete(Origin origin, String path, long base, long seen) implements Op {
        @Override
        public Type type() {
            return Type.DELETE;
        }

        @Override
        public Delete withOrigin(Origin origin) {
            return new Delete(origin, path, base, seen);
        }

        @Override
        public String describe() {
            return "DELETE " + path;
        }

        @Override
        public <R> R accept(Cases<R> cases) {
            return cases.delete(this);
        }
    }

    record Rename(Origin origin, String from, String to, long srcBase, long dstBase) implements Op {
        @Override
        public Type type() {
            return Type.RENAME;
        }

        @Override
        public Rename withOrigin(Origin origin) {
            return new Rename(origin, from, to, srcBase, dstBase);
        }

        @Override
        public String describe() {
            return "RENAME " + from + " -> " + to;
        }

        @Override
        public <R> R accept(Cases<R> cases) {
            return cases.rename(this);
        }
    }

    /** Mode or mtime changed, content did not: no data is sent. */
    record Meta(Origin origin, String path, int mode, long mtime, long base) implements Op {
        @Override
        public Type type() {
            return Type.META;
        }

        @Override
        public Meta withOrigin(Origin origin) {
            return new Meta(origin, path, mode, mtime, base);
        }

        @Override
        public String describe() {
            return "META " + path;
        }

        @Override
        public <R> R accept(Cases<R> cases) {
            return cases.meta(this);
        }
    }

    /** A node announces where its peer port listens (peers push and fetch chunks there). */
    record Hello(Origin origin, String peerAddress) implements Op {
        @Override
        public Type type() {
            return Type.HELLO;
        }

        @Override
        public Hello withOrigin(Origin origin) {
            return new Hello(origin, peerAddress);
        }

        @Override
        public String describe() {
            return toString();
        }

        @Override
        public <R> R accept(Cases<R> cases) {
            return cases.hello(this);
        }
    }

    /**
     * A change to the cluster's trust (an invite, a certificate issued, a member revoked), stamped
     * with its proposer's clock: apply decides expiry from that time, the same on every node.
     */
    record Trust(Origin origin, long atMillis, TrustChange change) implements Op {
        @Override
        public Type type() {
            return Type.TRUST;
        }

        @Override
        public Trust withOrigin(Origin origin) {
            return new Trust(origin, atMillis, change);
        }

        @Override
        public String describe() {
            return "TRUST " + change.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
        }

        @Override
        public <R> R accept(Cases<R> cases) {
            return cases.trust(this);
        }
    }

    /**
     * Brings back what the history holds, as a new change. With {@code version} above 0: that
     * version of {@code path}, written at {@code to} (null: at {@code path}). Otherwise the tree at
     * {@code path} ("" for the whole folder) as it was at {@code atMillis}, for the paths after
     * {@code after} (null: from the first); apply restores a bounded number of paths per op and
     * says where to go on. Paths changed after version {@code seen} (what the proposer had seen)
     * are kept, or for a single version, the restored one becomes a conflict copy.
     */
    record Restore(Origin origin, String path, long version, long atMillis, String to, long seen, String after) implements Op {
        @Override
        public Type type() {
            return Type.RESTORE;
        }

        @Override
        public Restore withOrigin(Origin origin) {
            return new Restore(origin, path, version, atMillis, to, seen, after);
        }

        /** The same restore, going on after {@code path}. */
        public Restore continuingAfter(String path) {
            return new Restore(origin, this.path, version, atMillis, to, seen, path);
        }

        @Override
        public String describe() {
            String what = path.isEmpty() ? "/" : path;
            return version > 0 ? "RESTORE " + what + " version " + version + (to != null ? " -> " + to : "")
                    : "RESTORE " + what + " at " + java.time.Instant.ofEpochMilli(atMillis);
        }

        @Override
        public <R> R accept(Cases<R> cases) {
            return cases.restore(this);
        }
    }

    /**
     * Changes how long the history keeps versions: {@code days} (-1: unchanged; 0: keep none),
     * {@code maxBytes} (-1: unchanged; 0: relative to the folder's size), and drops the versions
     * replaced before {@code purgeBefore} (0: none). With nothing to change it is a tick: apply
     * goes on with thinning and expiry, which it does a bounded amount of per entry.
     */
    record History(Origin origin, int days, long maxBytes, long purgeBefore) implements Op {
        public static History tick(Origin origin) {
            return new History(origin, -1, -1, 0);
        }

        @Override
        public Type type() {
            return Type.HISTORY;
        }

        @Override
        public History withOrigin(Origin origin) {
            return new History(origin, days, maxBytes, purgeBefore);
        }

        @Override
        public String describe() {
            return "HISTORY days=" + days + " maxBytes=" + maxBytes + " purgeBefore=" + purgeBefore;
        }

        @Override
        public <R> R accept(Cases<R> cases) {
            return cases.history(this);
        }
    }
}
