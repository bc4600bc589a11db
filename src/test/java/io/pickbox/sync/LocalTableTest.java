package io.pickbox.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.pickbox.folder.FileStat;
import io.pickbox.sync.LocalTable.Local;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalTableTest {

    @TempDir
    Path dir;

    private static Local file(long version, long inode) {
        return new Local(version, "sha" + version, new FileStat(FileStat.Kind.FILE, 1, 1000, inode, 0644, 5));
    }

    private static Local directory(long version) {
        return new Local(version, null, new FileStat(FileStat.Kind.DIR, 0, 1000, 9, 0755, 5));
    }

    @Test
    void moveSubtreeReKeysTheRootAndEverythingUnderIt() throws Exception {
        try (LocalTable t = new LocalTable(dir.resolve("local"))) {
            t.put("a", directory(1));
            t.put("a/x", file(2, 11));
            t.put("a/sub/y", file(3, 12));
            t.put("ab", file(4, 13)); // shares the prefix, not the tree
            t.put("b", file(5, 14));

            t.moveSubtree("a", "c/d", null);

            assertThat(t.paths()).containsExactlyInAnyOrder("c/d", "c/d/x", "c/d/sub/y", "ab", "b");
            assertThat(t.get("c/d")).isEqualTo(directory(1));
            assertThat(t.get("c/d/x")).isEqualTo(file(2, 11));
            assertThat(t.get("c/d/sub/y")).isEqualTo(file(3, 12));
            assertThat(t.get("ab")).isEqualTo(file(4, 13));
        }
        try (LocalTable reloaded = new LocalTable(dir.resolve("local"))) {
            assertThat(reloaded.paths()).containsExactlyInAnyOrder("c/d", "c/d/x", "c/d/sub/y", "ab", "b");
            assertThat(reloaded.get("c/d/sub/y")).isEqualTo(file(3, 12));
        }
    }

    @Test
    void moveSubtreeOfAFileMovesThatRowOnlyAndReplacesTheTarget() throws Exception {
        try (LocalTable t = new LocalTable(dir.resolve("local"))) {
            t.put("f.txt", file(1, 11));
            t.put("f.txt.bak", file(2, 12));
            t.put("g.txt", file(3, 13));

            t.moveSubtree("f.txt", "g.txt", null);

            assertThat(t.paths()).containsExactlyInAnyOrder("g.txt", "f.txt.bak");
            assertThat(t.get("g.txt")).isEqualTo(file(1, 11));
        }
    }

    @Test
    void moveSubtreeOfAnUnknownPathChangesNothing() throws Exception {
        try (LocalTable t = new LocalTable(dir.resolve("local"))) {
            t.put("a", file(1, 11));
            t.moveSubtree("missing", "b", null);
            assertThat(t.paths()).containsExactly("a");
        }
    }
}
