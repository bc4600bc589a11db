package io.pickbox.sync;

import io.pickbox.index.Entry;
import io.pickbox.index.Index;
import io.pickbox.index.Op;
import io.pickbox.index.Result;
import io.pickbox.index.TrustChange;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/**
 * Changes committed without going through the folder: files uploaded and deletes asked for through
 * the admin API, this node's announcement of where its peer port listens, and changes to the
 * cluster's trust (invites, certificates issued and revoked). The folder follows
 * when the change is applied, like any remote change.
 */
public final class ClusterWriter {

    private final String nodeId;
    private final Index index;
    private final Uploader uploader;

    ClusterWriter(String nodeId, Index index, Uploader uploader) {
        this.nodeId = nodeId;
        this.index = index;
        this.uploader = uploader;
    }

    /** Commits the content of {@code source} at {@code path}, replacing whatever is committed there. */
    public CompletableFuture<Result> putFile(String path, Path source) throws IOException {
        Uploader.Snapshot snap = uploader.read(source, path);
        if (snap == null) throw new IOException("the upload changed while it was read");
        Entry idx = index.get(path);
        long base = idx != null && idx.isFile() ? idx.version() : 0;
        int mode = idx != null && idx.isFile() ? idx.mode() : 0644;
        Op.Put put = new Op.Put(origin(), path, snap.stat().size(), snap.sha256(), snap.chunks(), mode,
                System.currentTimeMillis(), base, snap.inlineData() != null);
        return uploader.submit(put, snap.inlineData());
    }

    /** Tells the cluster where this node's peer port listens. */
    public CompletableFuture<Result> announce(String peerAddress) {
        return submit(new Op.Hello(origin(), peerAddress));
    }

    /** Commits a change to the cluster's trust, stamped with this node's clock. */
    public CompletableFuture<Result> trust(TrustChange change) {
        return submit(new Op.Trust(origin(), System.currentTimeMillis(), change));
    }

    /** Commits an op that carries no file bytes (a restore, a history setting) through this node's ordered queue. */
    public CompletableFuture<Result> submitOp(Op op) {
        return submit(op);
    }

    private CompletableFuture<Result> submit(Op op) {
        try {
            return uploader.submit(op, null);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Deletes a committed file or directory tree. */
    public CompletableFuture<Result> delete(String path) throws IOException {
        Entry idx = index.get(path);
        if (idx == null) throw new NoSuchFileException(path);
        return uploader.submit(new Op.Delete(origin(), path, idx.version(), index.versionClock()), null);
    }

    /** The origin of a new op; its sequence number is taken when it is sent ({@link Uploader#submit}). */
    Op.Origin origin() {
        return new Op.Origin(nodeId, 0);
    }
}
