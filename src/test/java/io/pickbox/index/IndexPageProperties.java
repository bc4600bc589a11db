package io.pickbox.index;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterTry;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Following the cursor page by page gives exactly the full listing, for any tree and page size. */
class IndexPageProperties {

    @AfterTry
    void closeIndexes() {
        TempIndexes.closeAll();
    }

    /** Names that sort on both sides of '/' ('-' and '.' before it, '0' right after it). */
    private static final List<String> NAMES = List.of("a", "a-", "a.b", "a0", "b", "B", "x y", "é");

    @Provide
    Arbitrary<Set<String>> trees() {
        Arbitrary<String> path = Arbitraries.of(NAMES).list().ofMinSize(1).ofMaxSize(4).map(l -> String.join("/", l));
        return path.set().ofMaxSize(80);
    }

    @Provide
    Arbitrary<String> prefixes() {
        return Arbitraries.oneOf(Arbitraries.just(""),
                Arbitraries.of(NAMES).list().ofMinSize(1).ofMaxSize(3).map(l -> String.join("/", l)));
    }

    @Property(tries = 150)
    void concatenatedPagesAreTheFullListing(@ForAll("trees") Set<String> files, @ForAll("prefixes") String prefix,
                                            @ForAll @IntRange(min = 1, max = 13) int limit) {
        Index index = indexOf(files);
        List<String> all = keys(index.list(prefix));
        List<String> paged = new ArrayList<>();
        String after = null;
        for (int pages = 0; pages <= all.size() + 1; pages++) {
            List<Map.Entry<String, Entry>> page = index.page(prefix, after, limit);
            assertThat(page.size()).isLessThanOrEqualTo(limit);
            if (page.isEmpty()) break;
            paged.addAll(keys(page));
            after = page.get(page.size() - 1).getKey();
        }
        assertThat(paged).isEqualTo(all);
    }

    @Property(tries = 150)
    void concatenatedChildPagesAreTheDirectChildren(@ForAll("trees") Set<String> files, @ForAll("prefixes") String dir,
                                                    @ForAll @IntRange(min = 1, max = 7) int limit) {
        Index index = indexOf(files);
        String base = dir.isEmpty() ? "" : dir + "/";
        List<String> expected = keys(index.list(dir)).stream()
                .filter(p -> p.startsWith(base) && p.indexOf('/', base.length()) < 0).toList();
        List<String> paged = new ArrayList<>();
        String after = null;
        for (int pages = 0; pages <= expected.size() + 1; pages++) {
            List<Map.Entry<String, Entry>> page = index.children(dir, after, limit);
            if (page.isEmpty()) break;
            paged.addAll(keys(page));
            after = page.get(page.size() - 1).getKey();
        }
        assertThat(paged).isEqualTo(expected);
    }

    /** Files at the given paths; a path under another one's name makes that one a directory first. */
    private static Index indexOf(Set<String> paths) {
        Index index = TempIndexes.open();
        TestOps ops = new TestOps("n1");
        long log = 1;
        for (String p : paths.stream().sorted((x, y) -> Long.compare(y.chars().filter(c -> c == '/').count(),
                x.chars().filter(c -> c == '/').count())).toList()) {
            index.apply(ops.put(p, p, 0), log++);
        }
        return index;
    }

    private static List<String> keys(List<Map.Entry<String, Entry>> entries) {
        return entries.stream().map(Map.Entry::getKey).toList();
    }
}
