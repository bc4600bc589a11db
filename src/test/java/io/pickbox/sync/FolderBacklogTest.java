package io.pickbox.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Directories with changes not looked at yet, each from the first path its walk must visit. */
class FolderBacklogTest {

    private static List<FolderBacklog.Walk> drain(FolderBacklog backlog) {
        List<FolderBacklog.Walk> walks = new ArrayList<>();
        for (FolderBacklog.Walk w; (w = backlog.take()) != null; ) walks.add(w);
        return walks;
    }

    private static FolderBacklog.Walk walk(String dir, String from) {
        return new FolderBacklog.Walk(dir, from);
    }

    @Test
    void aChangeIsRememberedByItsDirectoryFromItsPath() {
        FolderBacklog backlog = new FolderBacklog(10);
        backlog.changed("a/b/x");
        backlog.changed("c/y");

        assertThat(drain(backlog)).containsExactly(walk("a/b", "a/b/x"), walk("c", "c/y"));
        assertThat(backlog.isEmpty()).isTrue();
    }

    @Test
    void aChangeAtTheTopTakesInEveryDirectory() {
        // A walk goes through the whole tree below its directory: the folder's covers all the others.
        FolderBacklog backlog = new FolderBacklog(10);
        backlog.changed("a/b/x");
        backlog.changed("top.txt");

        assertThat(drain(backlog)).containsExactly(walk("", "a/b/x"));
    }

    @Test
    void aLaterChangeBeforeTheStartMovesTheStartBack() {
        FolderBacklog backlog = new FolderBacklog(10);
        backlog.changed("d/f500");
        backlog.changed("d/f900");
        backlog.changed("d/f100");

        assertThat(drain(backlog)).containsExactly(walk("d", "d/f100"));
    }

    @Test
    void aDirectoryUnderOneAlreadyRememberedMovesThatOnesStart() {
        FolderBacklog backlog = new FolderBacklog(10);
        backlog.changed("a/z");
        backlog.changed("a/b/c/x");
        backlog.add("a/m", null);

        assertThat(drain(backlog)).containsExactly(walk("a", "a/b/c/x"));
    }

    @Test
    void aDirectoryOverOnesAlreadyRememberedTakesThemIn() {
        FolderBacklog backlog = new FolderBacklog(10);
        backlog.changed("a/b/x");
        backlog.add("a/c", null);
        backlog.changed("a/y");

        assertThat(drain(backlog)).containsExactly(walk("a", "a/b/x"));

        backlog.changed("a/b/x");
        backlog.add("a", null);
        assertThat(drain(backlog)).containsExactly(walk("a", null));
    }

    @Test
    void aWholeDirectoryWinsOverAnyStart() {
        FolderBacklog backlog = new FolderBacklog(10);
        backlog.changed("a/m");
        backlog.add("a", null);
        backlog.changed("a/z");

        assertThat(drain(backlog)).containsExactly(walk("a", null));
    }

    @Test
    void pastItsBoundEveryDirectoryBecomesOneWalkOfTheFolderFromTheFirstStart() {
        FolderBacklog backlog = new FolderBacklog(3);
        backlog.changed("c/x");
        backlog.changed("b/y");
        backlog.changed("d/z");
        assertThat(backlog.size()).isEqualTo(3);

        backlog.add("e", null);

        assertThat(drain(backlog)).containsExactly(walk("", "b/y"));
    }

    @Test
    void pastItsBoundAWholeFolderWalkStaysWhole() {
        FolderBacklog backlog = new FolderBacklog(1);
        backlog.changed("top.txt");
        backlog.add("", null);
        backlog.changed("a/x");

        assertThat(drain(backlog)).containsExactly(walk("", null));
    }

    @Test
    void theRestOfAWalkMeetsAChangeMadeMeanwhile() {
        FolderBacklog backlog = new FolderBacklog(10);
        // A walk of d took its directory and stopped at d/f600; a change at d/f100 came in between.
        backlog.changed("d/f100");
        backlog.add("d", "d/f600");

        assertThat(drain(backlog)).containsExactly(walk("d", "d/f100"));
    }
}
