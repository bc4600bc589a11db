package io.pickbox.raft;

import io.pickbox.os.Durability;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A mark in the Raft storage directory of a node that began a new cluster, kept until the cluster's
 * first entry (its configuration: this node alone) is applied here, and so in this node's log for
 * good. Ratis learns a group's members from its log: a node stopped between starting its new group
 * and writing that entry (killed, or stopped with Ctrl-C a moment after it started) has a group and
 * no members, and would never elect itself. With the mark, it starts the group with itself again.
 */
final class Founding {

    static final String FILE = "founding";

    private final Path dir;
    private final Path file;

    Founding(Path storageDir) {
        this.dir = storageDir;
        this.file = storageDir.resolve(FILE);
    }

    /** Marks the cluster as being founded here, durably, before its group is started. */
    void begin() throws IOException {
        Durability.current().createDirectories(dir);
        if (!Files.exists(file)) Files.createFile(file);
        Durability.current().force(file);
        Durability.current().forceDirectory(dir);
    }

    /** Whether this node began a new cluster and has not yet applied its first entry. */
    boolean unfinished() {
        return Files.exists(file);
    }

    /** The first entry is in the log: from now on the log says who the members are. */
    void finish() throws IOException {
        if (Files.deleteIfExists(file)) Durability.current().forceDirectory(dir);
    }
}
