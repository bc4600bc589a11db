package io.pickbox.index;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class IndexPageTest {

    private final Index index = new Index();
    private final TestOps n1 = new TestOps("n1");
    private long log = 1;

    @BeforeEach
    void tree() {
        // Names around '/' in sort order: "a-b" and "a.txt" sort between "a" and "a/...", "a0" after.
        for (String p : new String[] {"a/b", "a-b", "a.txt", "a/c/d", "a/c/e", "a/c.txt", "a0", "ab", "z"}) {
            index.apply(n1.put(p, p, 0), log++);
        }
    }

    @Test
    void pagesASubtreeInPathOrderFromACursor() {
        assertThat(keys(index.page("a", null, 100))).containsExactly("a", "a/b", "a/c", "a/c.txt", "a/c/d", "a/c/e");
        assertThat(keys(index.page("a", null, 2))).containsExactly("a", "a/b");
        assertThat(keys(index.page("a", "a/b", 2))).containsExactly("a/c", "a/c.txt");
        assertThat(keys(index.page("a", "a/c/e", 2))).isEmpty();
        assertThat(keys(index.page("a/c", null, 100))).containsExactly("a/c", "a/c/d", "a/c/e");
        assertThat(keys(index.page("zz", null, 100))).isEmpty();
    }

    @Test
    void aCursorOutsideThePrefixStartsOrEndsThePage() {
        assertThat(keys(index.page("a", "A", 1))).containsExactly("a");
        assertThat(keys(index.page("a", "a-b", 1))).containsExactly("a/b");
        assertThat(keys(index.page("a", "a0", 1))).isEmpty();
        assertThat(keys(index.page("a", "zzz", 1))).isEmpty();
    }

    @Test
    void theWholeIndexPagedAfterACursor() {
        assertThat(keys(index.page("", "a0", 100))).containsExactly("ab", "z");
        assertThat(keys(index.page("", null, 3))).containsExactly("a", "a-b", "a.txt");
        assertThat(keys(index.page("", null, 0))).isEmpty();
    }

    @Test
    void aFilterKeepsOnlyWhatItAccepts() {
        assertThat(keys(index.page("", null, 2, Entry::isDir))).containsExactly("a", "a/c");
        assertThat(keys(index.page("", "a", 100, Entry::isDir))).containsExactly("a/c");
    }

    @Test
    void childrenStepOverTheSubtreesOfChildDirectories() {
        assertThat(keys(index.children("", null, 100))).containsExactly("a", "a-b", "a.txt", "a0", "ab", "z");
        assertThat(keys(index.children("a", null, 100))).containsExactly("a/b", "a/c", "a/c.txt");
        assertThat(keys(index.children("a", "a/b", 1))).containsExactly("a/c");
        assertThat(keys(index.children("a", "a/c", 5))).containsExactly("a/c.txt");
        // A cursor inside a child's subtree goes on after that subtree ("a-b" and "a.txt" sort before it).
        assertThat(keys(index.children("", "a/c/d", 5))).containsExactly("a0", "ab", "z");
        assertThat(keys(index.children("a/c", null, 5))).containsExactly("a/c/d", "a/c/e");
        assertThat(keys(index.children("a/b", null, 5))).isEmpty();
        assertThat(keys(index.children("nope", null, 5))).isEmpty();
    }

    @Test
    void aPageIsACopyThatLaterAppliesDoNotChange() {
        var page = index.page("", null, 1);
        var before = page.get(0).getValue();
        index.apply(n1.put("a", "now a file", 0), log++);
        assertThat(page.get(0).getValue()).isSameAs(before);
    }

    private static java.util.List<String> keys(java.util.List<Map.Entry<String, Entry>> page) {
        return page.stream().map(Map.Entry::getKey).toList();
    }
}
