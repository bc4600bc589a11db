package io.pickbox.raft;

import io.pickbox.os.Durability;
import io.pickbox.store.Durable;
import io.pickbox.store.Store;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.SnapshotRetentionPolicy;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.impl.FileListSnapshotInfo;
import org.apache.ratis.util.MD5FileUtil;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Ratis snapshots as checkpoints of the node's store: each one a directory
 * {@code checkpoint.TERM_INDEX} in the state machine's directory, whose files Ratis streams to a
 * follower that needs them (each with its MD5, checked on arrival) and installs in the same place.
 * A checkpoint holds only the tables of one namespace, the state the cluster agrees on: the store
 * also holds tables of this node's own, which no other node may take in.
 */
final class CheckpointStorage implements StateMachineStorage {

    private static final Pattern NAME = Pattern.compile("checkpoint\\.(\\d+)_(\\d+)");
    /** Left by a checkpoint, or its removal, that a crash cut short. */
    private static final Pattern UNFINISHED = Pattern.compile("checkpoint\\.\\d+_\\d+\\.(tmp|removing)");
    /** Checkpoints kept: the latest, and the one before it for a follower still downloading it. */
    static final int KEEP = 2;

    private final String namespace;
    private volatile Path dir;
    private volatile FileListSnapshotInfo latest;

    /** Checkpoints holding the tables (and meta keys) whose names start with {@code namespace}. */
    CheckpointStorage(String namespace) {
        this.namespace = namespace;
    }

    @Override
    public void init(RaftStorage raftStorage) throws IOException {
        dir = raftStorage.getStorageDir().getStateMachineDir().toPath();
        Durability.current().createDirectories(dir);
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(p -> UNFINISHED.matcher(p.getFileName().toString()).matches()).toList()) deleteTree(p);
        }
        reload();
    }

    Path directory() {
        return dir;
    }

    /** Reads the newest checkpoint from disk (after start, or after Ratis installed one from the leader). */
    void reload() throws IOException {
        Path newest = checkpoints().stream().reduce((a, b) -> b).orElse(null);
        latest = newest == null ? null : infoOf(newest);
    }

    @Override
    public FileListSnapshotInfo getLatestSnapshot() {
        return latest;
    }

    /** The directory of the newest checkpoint, or null. */
    Path latestDirectory() {
        FileListSnapshotInfo l = latest;
        return l == null ? null : dir.resolve(nameOf(l.getTermIndex()));
    }

    /** Checkpoints {@code store} as the snapshot at {@code at} and drops all but the newest {@value #KEEP}. */
    FileListSnapshotInfo take(Store store, TermIndex at) throws IOException {
        Path target = dir.resolve(nameOf(at));
        if (!Files.exists(target)) store.checkpoint(target, namespace);
        latest = infoOf(target);
        keepNewest(KEEP);
        return latest;
    }

    /**
     * Removes every checkpoint holding tables beyond the namespace (taken by an earlier version, which
     * checkpointed the whole store, or received from one) and returns how many. The caller takes a
     * new one from the store, which is at least as recent.
     */
    int removeWide() throws IOException {
        int removed = 0;
        for (Path cp : checkpoints()) {
            if (holdsOnlyNamespace(cp)) continue;
            remove(cp);
            removed++;
        }
        reload();
        return removed;
    }

    private boolean holdsOnlyNamespace(Path checkpoint) throws IOException {
        return Store.tablesIn(checkpoint).stream().allMatch(t -> t.startsWith(namespace) || t.equals(Store.META));
    }

    /** Renamed out of sight first: a crash while deleting must not leave a partial checkpoint under a checkpoint's name. */
    private static void remove(Path checkpoint) throws IOException {
        Path gone = checkpoint.resolveSibling(checkpoint.getFileName() + ".removing");
        deleteTree(gone);
        Files.move(checkpoint, gone, StandardCopyOption.ATOMIC_MOVE);
        Durability.current().forceDirectory(checkpoint.getParent());
        deleteTree(gone);
    }

    /**
     * Moves a damaged checkpoint out of the checkpoints' names (kept beside them for a look) and
     * reads the newest one left.
     */
    void moveAside(Path checkpoint, String why) throws IOException {
        Durable.moveAside(checkpoint, why, "the index comes from an older checkpoint and the Raft log, or from the leader's checkpoint");
        reload();
    }

    /**
     * Makes the newest checkpoint durable: one Ratis received from the leader is written without an
     * fsync, and Ratis drops the log behind it.
     */
    void syncLatest() throws IOException {
        Path latest = latestDirectory();
        if (latest != null) Durable.syncTree(latest);
    }

    /** The MD5 Ratis saved beside each file it received: a checkpoint altered since fails here. */
    static void verify(Path checkpoint) throws IOException {
        try (Stream<Path> files = Files.list(checkpoint)) {
            for (Path f : files.filter(p -> p.toString().endsWith(MD5_SUFFIX)).toList()) {
                Path data = f.resolveSibling(f.getFileName().toString().replace(MD5_SUFFIX, ""));
                MD5Hash expected = MD5FileUtil.readStoredMd5ForFile(data.toFile());
                MD5Hash actual = MD5FileUtil.computeMd5ForFile(data.toFile());
                if (!expected.equals(actual)) throw new IOException("checkpoint file " + data + " does not match its MD5");
            }
        }
    }

    static final String MD5_SUFFIX = ".md5";

    @Override
    public void format() {
        // the directory is created by init
    }

    @Override
    public void cleanupOldSnapshots(SnapshotRetentionPolicy policy) throws IOException {
        int keep = policy == null ? KEEP : Math.max(KEEP, policy.getNumSnapshotsRetained());
        keepNewest(keep);
    }

    private void keepNewest(int keep) throws IOException {
        List<Path> all = checkpoints();
        for (int i = 0; i < all.size() - keep; i++) remove(all.get(i));
    }

    /** Every checkpoint, oldest first. */
    private List<Path> checkpoints() throws IOException {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> Files.isDirectory(p) && NAME.matcher(p.getFileName().toString()).matches()).forEach(out::add);
        }
        out.sort(Comparator.comparingLong(p -> termIndexOf(p).getIndex()));
        return out;
    }

    static TermIndex termIndexOf(Path checkpoint) {
        Matcher m = NAME.matcher(checkpoint.getFileName().toString());
        if (!m.matches()) throw new IllegalArgumentException("not a checkpoint: " + checkpoint);
        return TermIndex.valueOf(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
    }

    static String nameOf(TermIndex at) {
        return "checkpoint." + at.getTerm() + "_" + at.getIndex();
    }

    /** The checkpoint's files; digests left to Ratis, which computes them as it streams each file. */
    private static FileListSnapshotInfo infoOf(Path checkpoint) throws IOException {
        List<FileInfo> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(checkpoint)) {
            s.filter(p -> Files.isRegularFile(p) && !p.toString().endsWith(MD5_SUFFIX)).sorted()
                    .forEach(p -> files.add(new FileInfo(p.toAbsolutePath(), null)));
        }
        return new FileListSnapshotInfo(files, termIndexOf(checkpoint));
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
        }
    }
}
