package io.pickbox.index;

import io.pickbox.folder.Hashing;
import io.pickbox.index.TrustChange;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Builds ops for one proposing node, numbering them with that node's own increasing sequence.
 * File content is given as a short string; its hash, size and (single) chunk are derived from it.
 */
public final class TestOps {

    private final String node;
    private long seq;

    public TestOps(String node) {
        this.node = node;
    }

    public String node() {
        return node;
    }

    public Op.Origin next() {
        return new Op.Origin(node, ++seq);
    }

    /** The origin of the op built last (to replay it as a retry). */
    public Op.Origin last() {
        return new Op.Origin(node, seq);
    }

    public Op.Put put(String path, String content, long base) {
        return put(path, content, 0644, 1_000L, base);
    }

    public Op.Put put(String path, String content, int mode, long mtime, long base) {
        byte[] bytes = bytes(content);
        List<String> chunks = bytes.length == 0 ? List.of() : List.of(sha(content));
        return new Op.Put(next(), path, bytes.length, sha(content), chunks, mode, mtime, base, bytes.length > 0);
    }

    /** A PUT whose chunks were sent ahead (not inline). */
    public Op.Put chunkedPut(String path, long size, String sha256, List<String> chunks, long base) {
        return new Op.Put(next(), path, size, sha256, chunks, 0644, 1_000L, base, false);
    }

    public Op.Mkdir mkdir(String path) {
        return new Op.Mkdir(next(), path, 0755, 1_000L);
    }

    public Op.Delete delete(String path, long base) {
        return new Op.Delete(next(), path, base, 0);
    }

    public Op.Delete deleteDir(String path, long seen) {
        return new Op.Delete(next(), path, 0, seen);
    }

    public Op.Rename rename(String from, String to, long srcBase, long dstBase) {
        return new Op.Rename(next(), from, to, srcBase, dstBase);
    }

    public Op.Meta meta(String path, int mode, long mtime, long base) {
        return new Op.Meta(next(), path, mode, mtime, base);
    }

    public Op.Restore restoreVersion(String path, long version, String to, long seen) {
        return new Op.Restore(next(), path, version, 0, to, seen, null);
    }

    public Op.Restore restoreTree(String path, long atMillis, long seen) {
        return new Op.Restore(next(), path, 0, atMillis, null, seen, null);
    }

    public Op.History history(int days, long maxBytes, long purgeBefore) {
        return new Op.History(next(), days, maxBytes, purgeBefore);
    }

    public Op.Hello hello(String peerAddress) {
        return new Op.Hello(next(), peerAddress);
    }

    public Op.Trust trust(long atMillis, TrustChange change) {
        return new Op.Trust(next(), atMillis, change);
    }

    public static byte[] bytes(String content) {
        return content.getBytes(StandardCharsets.UTF_8);
    }

    public static String sha(String content) {
        return Hashing.sha256Hex(bytes(content));
    }
}
