package io.pickbox.watch;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GoneBeforeWatchedTest {

    private final GoneBeforeWatched gone = new GoneBeforeWatched();

    @Test
    void aRenameOfTheDirectoryOrOfOneAboveItFindsItUnderTheNewNameOnce() {
        gone.add("made", 0);
        gone.add("known/fresh", 0);
        gone.add("known/fresh/deeper", 0);
        gone.add("other", 0);
        assertThat(gone.movedTo("made", "renamed", 1)).containsExactly("renamed");
        assertThat(gone.movedTo("known", "moved", 1)).containsExactly("moved/fresh", "moved/fresh/deeper");
        assertThat(gone.movedTo("known", "moved", 2)).isEmpty();
        assertThat(gone.movedTo("oth", "x", 2)).as("a name that only begins the same").isEmpty();
        assertThat(gone.size()).isEqualTo(1);
    }

    @Test
    void directoriesAreForgottenAfterAWhile() {
        gone.add("old", 0);
        gone.add("new", GoneBeforeWatched.REMEMBER_NANOS);
        assertThat(gone.movedTo("old", "older", GoneBeforeWatched.REMEMBER_NANOS + 1)).isEmpty();
        assertThat(gone.size()).isEqualTo(1);
        assertThat(gone.movedTo("new", "newer", GoneBeforeWatched.REMEMBER_NANOS + 1)).containsExactly("newer");
    }

    @Test
    void atMostAFixedNumberAreRemembered() {
        for (int i = 0; i < GoneBeforeWatched.MAX + 50; i++) gone.add("d" + i, 0);
        assertThat(gone.size()).isEqualTo(GoneBeforeWatched.MAX);
    }
}
