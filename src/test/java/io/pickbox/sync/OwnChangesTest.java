package io.pickbox.sync;

import io.pickbox.folder.FileStat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The watcher's reports of this node's own renames and deletions are known as such, once each; the user's are not. */
class OwnChangesTest {

    @TempDir
    Path root;

    private final OwnChanges own() {
        return new OwnChanges(root);
    }

    private FileStat write(String path, String content) throws Exception {
        Files.writeString(root.resolve(path), content);
        return FileStat.of(root.resolve(path));
    }

    @Test
    void aRenameOfOursIsItsOwnEchoOnce() throws Exception {
        OwnChanges own = own();
        FileStat st = write("a.txt", "a");
        own.moving("a.txt", "b.txt", st);
        Files.move(root.resolve("a.txt"), root.resolve("b.txt"));

        assertThat(own.isEchoOfMove("a.txt", "b.txt")).isTrue();
        assertThat(own.isEchoOfMove("a.txt", "b.txt")).as("claimed once").isFalse();
        assertThat(own.echoesIgnored()).isEqualTo(1);
        assertThat(own.remembered()).isZero();
    }

    @Test
    void aRenameReportedWhenTheDiskNoLongerShowsOursIsTheUsers() throws Exception {
        OwnChanges own = own();
        FileStat st = write("a.txt", "a");
        own.moving("a.txt", "b.txt", st);
        Files.move(root.resolve("a.txt"), root.resolve("b.txt"));
        // The user replaced it meanwhile with another file of that name.
        Files.delete(root.resolve("b.txt"));
        write("other.txt", "another file");
        Files.move(root.resolve("other.txt"), root.resolve("b.txt"));

        assertThat(own.isEchoOfMove("a.txt", "b.txt")).isFalse();
        assertThat(own.isEchoOfMove("x.txt", "y.txt")).as("never announced").isFalse();
        assertThat(own.echoesIgnored()).isZero();
    }

    @Test
    void aRenameThatDidNotHappenHasNoEcho() throws Exception {
        OwnChanges own = own();
        FileStat st = write("a.txt", "a");
        own.moving("a.txt", "b.txt", st);
        own.notMoved("a.txt", "b.txt");
        Files.move(root.resolve("a.txt"), root.resolve("b.txt")); // the user's, with the same names

        assertThat(own.isEchoOfMove("a.txt", "b.txt")).isFalse();
    }

    @Test
    void aDeletionOfOursIsItsOwnEchoOnlyWhileThePathIsEmpty() throws Exception {
        OwnChanges own = own();
        write("gone.txt", "x");
        write("back.txt", "x");
        own.deleting("gone.txt");
        own.deleting("back.txt");
        Files.delete(root.resolve("gone.txt"));
        Files.delete(root.resolve("back.txt"));
        write("back.txt", "made again by the user"); // before the deletion was reported

        assertThat(own.isEchoOfDelete("gone.txt")).isTrue();
        assertThat(own.isEchoOfDelete("gone.txt")).as("claimed once").isFalse();
        assertThat(own.isEchoOfDelete("back.txt")).isFalse();
        assertThat(own.isEchoOfDelete("never.txt")).isFalse();
        assertThat(own.remembered()).isZero();
    }

    @Test
    void aFileWrittenHereAfterOurDeletionMakesALaterDeletionTheUsers() throws Exception {
        OwnChanges own = own();
        write("f.txt", "x");
        own.deleting("f.txt");
        Files.delete(root.resolve("f.txt"));
        // Its report was lost; the file comes back from the cluster, then the user deletes it.
        own.wrote("f.txt");

        assertThat(own.isEchoOfDelete("f.txt")).isFalse();
    }

    @Test
    void whatIsHeldIsBounded() throws Exception {
        OwnChanges own = own();
        for (int i = 0; i < OwnChanges.MAX_REMEMBERED + 10; i++) own.deleting("f" + i);
        assertThat(own.remembered()).isLessThanOrEqualTo(OwnChanges.MAX_REMEMBERED);
    }
}
