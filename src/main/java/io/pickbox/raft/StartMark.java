package io.pickbox.raft;

import io.pickbox.os.Durability;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A mark in the Raft storage directory of a node whose first start is not finished. Ratis learns a
 * group's members from its log, or from the record it keeps of a checkpoint being received: a node
 * stopped part way through its first start restarts with a group of no members, or of members that
 * leave it out, and would wait for ever. The mark says what it was doing, so that it does it again:
 * <ul>
 * <li>{@link #FOUNDING} from the bootstrap of a new cluster until the cluster's first entry (its
 *     configuration: this node alone) is applied here, and so in this node's log for good;</li>
 * <li>{@link #JOINING} from the start of a join until a configuration that names this node is
 *     applied here: the cluster has added it.</li>
 * </ul>
 */
final class StartMark {

    static final String FOUNDING = "founding";
    static final String JOINING = "joining";

    private final Path dir;
    private final Path file;

    StartMark(Path storageDir, String name) {
        this.dir = storageDir;
        this.file = storageDir.resolve(name);
    }

    /** Marks the start as under way, durably, before the group is started. */
    void begin() throws IOException {
        Durability.current().createDirectories(dir);
        if (!Files.exists(file)) Files.createFile(file);
        Durability.current().force(file);
        Durability.current().forceDirectory(dir);
    }

    /** Whether the start was begun and is not finished. */
    boolean unfinished() {
        return Files.exists(file);
    }

    /** The start is finished: from now on the log says who the members are. */
    void finish() throws IOException {
        if (Files.deleteIfExists(file)) Durability.current().forceDirectory(dir);
    }

    @Override
    public String toString() {
        return file.getFileName().toString();
    }
}
