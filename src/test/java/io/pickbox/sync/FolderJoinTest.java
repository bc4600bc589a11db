package io.pickbox.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.pickbox.folder.FileStat;
import io.pickbox.index.Index;
import io.pickbox.index.TestOps;
import io.pickbox.store.Keys;
import io.pickbox.sync.LocalTable.Local;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The folder, the index and the local table walked side by side and joined on the path. */
class FolderJoinTest {

    @TempDir
    Path root;
    @TempDir
    Path state;

    private final Index index = new Index();
    private final TestOps ops = new TestOps("n1");
    private long logIndex;
    private LocalTable table;

    @BeforeEach
    void setUp() throws Exception {
        table = new LocalTable(state.resolve("local"));
    }

    @AfterEach
    void tearDown() throws Exception {
        table.close();
        index.close();
    }

    private record Visit(String path, boolean disk, boolean row, boolean entry) {
        @Override
        public String toString() {
            return path + (disk ? " D" : "") + (row ? " R" : "") + (entry ? " E" : "");
        }
    }

    private List<Visit> join(String relDir) throws Exception {
        List<Visit> out = new ArrayList<>();
        FolderJoin.run(root, relDir, p -> p.startsWith("skip"), index, table,
                (p, disk, row, entry) -> out.add(new Visit(p, disk != null, row != null, entry != null)));
        return out;
    }

    private void onDisk(String path) throws Exception {
        Path f = root.resolve(path);
        Files.createDirectories(f.getParent());
        Files.writeString(f, path);
    }

    private void committed(String path) {
        index.apply(ops.put(path, path, 0), ++logIndex);
    }

    private void row(String path) {
        table.put(path, new Local(1, "00".repeat(32), new FileStat(FileStat.Kind.FILE, 1, 1, 1, 0644, 0)));
    }

    @Test
    void eachPathIsMetOnceWithItsThreeViewsInPathOrder() throws Exception {
        // "a" < "a.txt" < "a/b" < "a0": a directory's contents come after the siblings that sort
        // before a slash, and before those that sort after it. (Committing a/b commits a too.)
        onDisk("a/b");
        onDisk("a.txt");
        onDisk("a0");
        committed("a/b");
        committed("a.txt");
        committed("gone-from-disk");
        row("a/b");
        row("only-a-row");

        assertThat(join("")).extracting(Visit::toString).containsExactly(
                "a D E", "a.txt D E", "a/b D R E", "a0 D", "gone-from-disk E", "only-a-row R");
    }

    @Test
    void aSubtreeLeavesOutItsDirectoryAndWhatIsBesideIt() throws Exception {
        onDisk("d/x");
        onDisk("d/e/y");
        onDisk("d.txt");
        onDisk("dd/z");
        committed("d/x");
        committed("d/gone");
        committed("dd/z");
        row("d/e/y");
        row("d0");

        assertThat(join("d")).extracting(Visit::toString).containsExactly("d/e D", "d/e/y D R", "d/gone E", "d/x D E");
    }

    @Test
    void ignoredPathsAreLeftOutOfEveryTree() throws Exception {
        onDisk("skip/x");
        committed("skip/y");
        row("skip/z");
        onDisk("keep");

        assertThat(join("")).extracting(Visit::toString).containsExactly("keep D");
    }

    @Test
    void namesBeyondTheBasicPlaneSortAsTheStoreSortsThem() throws Exception {
        // U+1F600 is a surrogate pair in Java, U+E000 is not: by code point the emoji is larger.
        String emoji = "\uD83D\uDE00", privateUse = "\uE000";
        onDisk(emoji);
        onDisk(privateUse);
        committed(emoji);
        committed(privateUse);

        assertThat(join("")).extracting(Visit::toString).containsExactly(privateUse + " D E", emoji + " D E");
    }

    @Test
    void walksMorePathsThanAPageHolds() throws Exception {
        TreeSet<String> all = new TreeSet<>(Keys::compare);
        for (int i = 0; i < 2_500; i++) {
            String p = "p/" + i;
            if (i % 3 != 0) committed(p);
            if (i % 2 == 0) row(p);
            if (i % 5 == 0) onDisk(p);
            if (i % 3 != 0 || i % 2 == 0 || i % 5 == 0) all.add(p);
        }
        all.add("p");

        List<Visit> visits = join("");
        assertThat(visits).extracting(Visit::path).containsExactlyElementsOf(all);
        assertThat(visits).filteredOn(v -> v.path.equals("p/10")).containsExactly(new Visit("p/10", true, true, true));
        assertThat(visits).filteredOn(v -> v.path.equals("p/7")).containsExactly(new Visit("p/7", false, false, true));
    }

    private List<Visit> joinFrom(String relDir, String from, int atMost) throws Exception {
        List<Visit> out = new ArrayList<>();
        FolderJoin.run(root, relDir, from, p -> p.startsWith("skip"), index, table, (p, disk, row, entry) -> {
            out.add(new Visit(p, disk != null, row != null, entry != null));
            return out.size() < atMost;
        });
        return out;
    }

    @Test
    void aWalkStartsAtAPathAndGoesOnFromThereOnly() throws Exception {
        onDisk("a/b/c");
        onDisk("a/d");
        onDisk("a.txt");
        onDisk("b/x");
        committed("a/b/c");
        committed("a/e");
        row("a/d");
        row("a/f");

        // From inside a directory: what sorts before is not visited, nor the directories it is in.
        assertThat(joinFrom("", "a/d", 100)).extracting(Visit::toString).containsExactly(
                "a/d D R", "a/e E", "a/f R", "b D", "b/x D");
        // From a path that is in none of the trees: the first after it.
        assertThat(joinFrom("", "a/c", 100)).extracting(Visit::toString).containsExactly(
                "a/d D R", "a/e E", "a/f R", "b D", "b/x D");
        // From a directory: it and its contents.
        assertThat(joinFrom("a", "a/b", 100)).extracting(Visit::toString).containsExactly(
                "a/b D E", "a/b/c D E", "a/d D R", "a/e E", "a/f R");
        // From a path not below the directory walked: all of it.
        assertThat(joinFrom("a", "b/x", 100)).containsExactlyElementsOf(join("a"));
    }

    @Test
    void aWalkStopsWhereItsVisitorSaysSoAndGoesOnFromThere() throws Exception {
        for (int i = 0; i < 2_500; i++) {
            String p = String.format("p/%04d", i);
            if (i % 2 == 0) onDisk(p);
            if (i % 3 == 0) committed(p);
        }
        List<Visit> all = join("p");
        List<Visit> walked = new ArrayList<>();
        for (String from = null; ; ) {
            List<Visit> part = joinFrom("p", from, 700);
            if (part.size() < 700) {
                walked.addAll(part);
                break;
            }
            // The last one visited is where the next walk starts: it is met again.
            walked.addAll(part.subList(0, part.size() - 1));
            from = part.get(part.size() - 1).path();
        }

        assertThat(walked).containsExactlyElementsOf(all);
    }

    @Property
    void comparesPathsAsTheirUtf8Bytes(@ForAll String a, @ForAll String b) {
        int expected = Integer.signum(Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)));
        // Lone surrogates have no UTF-8 form: only well-formed strings are paths.
        if (!wellFormed(a) || !wellFormed(b)) return;
        assertThat(Integer.signum(Keys.compare(a, b))).isEqualTo(expected);
    }

    @Test
    void comparesPairsOfSurrogatesAndOtherCharacters() {
        Random random = new Random(7);
        int[] interesting = {0x2E, 0x2F, 0x30, 0x7F, 0x80, 0x7FF, 0x800, 0xD7FF, 0xE000, 0xFFFD, 0xFFFF, 0x10000, 0x1F600, 0x10FFFF};
        for (int i = 0; i < 10_000; i++) {
            String a = randomString(random, interesting), b = randomString(random, interesting);
            int expected = Integer.signum(Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)));
            assertThat(Integer.signum(Keys.compare(a, b))).as("%s vs %s", a, b).isEqualTo(expected);
        }
    }

    private static String randomString(Random random, int[] codePoints) {
        StringBuilder sb = new StringBuilder();
        for (int n = random.nextInt(4); n > 0; n--) sb.appendCodePoint(codePoints[random.nextInt(codePoints.length)]);
        return sb.toString();
    }

    private static boolean wellFormed(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) i++;
            else if (Character.isSurrogate(c)) return false;
        }
        return true;
    }
}
