package io.pickbox.watch;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WatchedTreeTest {

    private final WatchedTree<Integer> tree = new WatchedTree<>();

    @Test
    void movePrefixRewritesTheDirectoryAndAllDescendantsOnly() {
        tree.put("", 1);
        tree.put("a", 2);
        tree.put("a/b", 3);
        tree.put("a/b/c", 4);
        tree.put("ab", 5); // shares the text prefix, not the path prefix

        tree.movePrefix("a", "x/y");

        assertThat(tree.pathOf(2)).isEqualTo("x/y");
        assertThat(tree.pathOf(3)).isEqualTo("x/y/b");
        assertThat(tree.pathOf(4)).isEqualTo("x/y/b/c");
        assertThat(tree.pathOf(5)).isEqualTo("ab");
        assertThat(tree.handleOf("a")).isNull();
        assertThat(tree.handleOf("x/y/b")).isEqualTo(3);
        assertThat(tree.size()).isEqualTo(5);
    }

    @Test
    void moveOverAnExistingDirectoryForgetsTheReplacedWatches() {
        tree.put("a", 1);
        tree.put("b", 2);
        tree.put("b/old", 3);
        assertThat(tree.movePrefix("a", "b")).containsExactlyInAnyOrder(2, 3);
        assertThat(tree.handleOf("b")).isEqualTo(1);
        assertThat(tree.pathOf(2)).isNull();
        assertThat(tree.pathOf(3)).isNull();
    }

    @Test
    void removeSubtreeReturnsHandles() {
        tree.put("a", 1);
        tree.put("a/b", 2);
        tree.put("ab", 3);
        assertThat(tree.removeSubtree("a")).containsExactlyInAnyOrder(1, 2);
        assertThat(tree.size()).isEqualTo(1);
    }

    @Test
    void reAddingAnInodeUnderANewPathMovesIt() {
        tree.put("old", 7);
        tree.put("new", 7);
        assertThat(tree.handleOf("old")).isNull();
        assertThat(tree.pathOf(7)).isEqualTo("new");
    }

    @Test
    void removeKeepsAPathThatWasReclaimedByAnotherHandle() {
        tree.put("d", 1);
        tree.put("d", 2); // d was deleted and recreated; wd 1 gets IN_IGNORED later
        tree.remove(1);
        assertThat(tree.handleOf("d")).isEqualTo(2);
        assertThat(tree.pathOf(2)).isEqualTo("d");
    }
}
