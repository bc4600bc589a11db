package io.pickbox.raft;

import io.pickbox.index.Index;
import io.pickbox.index.IndexState;
import io.pickbox.store.Durable;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The index snapshot of earlier versions: the whole index serialized in one file
 * ({@code snapshot.TERM_INDEX}, with its {@code .md5}) in the state machine's directory. Loaded
 * once into an empty store; deleted once the store has a checkpoint of its own.
 */
final class LegacySnapshot {
    private static final Logger LOG = LoggerFactory.getLogger(LegacySnapshot.class);

    private LegacySnapshot() {}

    /** Loads the newest old-format snapshot in {@code dir}, if any, into {@code index}, as of its entry. */
    static void migrate(Path dir, Index index) throws IOException {
        Path file = files(dir).stream()
                .max(Comparator.comparingLong(f -> SimpleStateMachineStorage.getTermIndexFromSnapshotFile(f.toFile()).getIndex()))
                .orElse(null);
        if (file == null) return;
        TermIndex at = SimpleStateMachineStorage.getTermIndexFromSnapshotFile(file.toFile());
        IndexState state;
        try {
            state = read(file);
        } catch (IOException | RuntimeException damaged) {
            // torn by a power cut (it was written without an fsync): the log, or the leader, has the index
            Durable.moveAside(file, damaged.getMessage(), "the index comes from the Raft log or the leader's checkpoint");
            return;
        }
        index.restore(state, at.getTerm(), at.getIndex());
        LOG.info("Moved the index snapshot at {} ({} entries) into the store", at, index.size());
    }

    private static IndexState read(Path file) throws IOException {
        if (Files.exists(MD5FileUtil.getDigestFileForFile(file.toFile()).toPath())) {
            MD5Hash saved = MD5FileUtil.readStoredMd5ForFile(file.toFile());
            if (!saved.equals(MD5FileUtil.computeMd5ForFile(file.toFile()))) {
                throw new IOException("it does not match its MD5");
            }
        }
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            return IndexState.readFrom(in);
        } catch (EOFException e) {
            throw (EOFException) new EOFException("it ends early").initCause(e);
        }
    }

    /** Removes old-format snapshots (the store holds the index now). */
    static void deleteAll(Path dir) throws IOException {
        for (Path f : files(dir)) {
            Files.deleteIfExists(MD5FileUtil.getDigestFileForFile(f.toFile()).toPath());
            Files.deleteIfExists(f);
        }
    }

    private static List<Path> files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> Files.isRegularFile(p)
                    && SimpleStateMachineStorage.SNAPSHOT_REGEX.matcher(p.getFileName().toString()).matches()).toList();
        }
    }
}
