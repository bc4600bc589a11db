package io.pickbox.index;

import static io.pickbox.index.TestOps.sha;
import static org.assertj.core.api.Assertions.assertThat;

import io.pickbox.folder.PathValidator;
import io.pickbox.index.Result.Status;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The apply rules of ARCHITECTURE.md §3, one test (at least) per row. */
class IndexApplyTest {

    private final Index index = new Index();

    @AfterEach
    void closeIndex() {
        index.close();
    }
    private final TestOps n1 = new TestOps("n1");
    private final TestOps n2 = new TestOps("n2");
    private long logIndex = 100;

    // ------------------------------------------------------------ helpers

    private Result apply(Op op) {
        return index.apply(op, ++logIndex);
    }

    /** Applies and requires APPLIED; returns the new version. */
    private long commit(Op op) {
        Result r = apply(op);
        assertThat(r.status()).as("%s -> %s", op, r).isEqualTo(Status.APPLIED);
        return r.version();
    }

    private long version(String path) {
        return index.get(path).version();
    }

    private String contentHash(String path) {
        Entry e = index.get(path);
        return e == null ? null : e.sha256();
    }

    private List<String> paths() {
        return index.list("").stream().map(Map.Entry::getKey).toList();
    }

    // ------------------------------------------------------------ PUT

    @Test
    void putOfANewPathCreatesVersionOne() {
        Result r = apply(n1.put("a.txt", "one", 0));
        assertThat(r).isEqualTo(Result.applied("a.txt", 1));
        Entry e = index.get("a.txt");
        assertThat(e.isFile()).isTrue();
        assertThat(e.sha256()).isEqualTo(sha("one"));
        assertThat(e.size()).isEqualTo(3);
        assertThat(e.origin()).isEqualTo("n1");
        assertThat(e.conflictOf()).isNull();
    }

    @Test
    void putWithCurrentBaseMakesANewVersion() {
        long v1 = commit(n1.put("a.txt", "one", 0));
        Result r = apply(n2.put("a.txt", "two", v1));
        assertThat(r.status()).isEqualTo(Status.APPLIED);
        assertThat(r.version()).isGreaterThan(v1);
        assertThat(version("a.txt")).isEqualTo(r.version());
        assertThat(contentHash("a.txt")).isEqualTo(sha("two"));
        assertThat(index.get("a.txt").origin()).isEqualTo("n2");
        assertThat(index.size()).isEqualTo(1);
    }

    @Test
    void putWithCurrentBaseAndIdenticalEntryIsNoop() {
        long v1 = commit(n1.put("a.txt", "one", 0));
        Result r = apply(n2.put("a.txt", "one", v1));
        assertThat(r.status()).isEqualTo(Status.NOOP);
        assertThat(version("a.txt")).isEqualTo(v1);
    }

    @Test
    void putWithStaleBaseAndDifferentContentBecomesConflictCopy() {
        long v1 = commit(n1.put("notes.txt", "base", 0));
        commit(n1.put("notes.txt", "n1 edit", v1));
        long at = logIndex + 1;
        Result r = apply(n2.put("notes.txt", "n2 edit", v1));

        String copy = "notes.conflict-n2-" + at + ".txt";
        assertThat(r.status()).isEqualTo(Status.CONFLICT);
        assertThat(r.path()).isEqualTo(copy);
        assertThat(contentHash("notes.txt")).isEqualTo(sha("n1 edit"));
        assertThat(contentHash(copy)).isEqualTo(sha("n2 edit"));
        assertThat(index.get(copy).conflictOf()).isEqualTo("notes.txt");
        assertThat(r.version()).isEqualTo(version(copy));
        assertThat(index.conflicts()).extracting(Map.Entry::getKey).containsExactly(copy);
    }

    @Test
    void theSameLosingEditProposedAgainByItsNodeIsKeptOnce() {
        long v1 = commit(n1.put("notes.txt", "base", 0));
        commit(n1.put("notes.txt", "n1 edit", v1));
        Result first = apply(n2.put("notes.txt", "n2 edit", v1));
        long clock = index.versionClock();

        // n2 stopped before it recorded the outcome; restarted, it proposes its edit again.
        Result again = apply(n2.put("notes.txt", "n2 edit", v1));

        assertThat(again.status()).isEqualTo(Status.CONFLICT);
        assertThat(again.path()).isEqualTo(first.path());
        assertThat(again.version()).isEqualTo(first.version());
        assertThat(index.versionClock()).isEqualTo(clock);
        assertThat(index.conflicts()).extracting(Map.Entry::getKey).containsExactly(first.path());
    }

    @Test
    void aLosingEditWithOtherBytesOrFromAnotherNodeGetsACopyOfItsOwn() {
        long v1 = commit(n1.put("notes.txt", "base", 0));
        commit(n1.put("notes.txt", "n1 edit", v1));
        Result n2Copy = apply(n2.put("notes.txt", "n2 edit", v1));

        Result n2Other = apply(n2.put("notes.txt", "n2 second edit", v1));
        Result n3Copy = apply(new TestOps("n3").put("notes.txt", "n2 edit", v1));

        assertThat(n2Other.status()).isEqualTo(Status.CONFLICT);
        assertThat(n3Copy.status()).isEqualTo(Status.CONFLICT);
        assertThat(index.conflicts()).extracting(Map.Entry::getKey)
                .containsExactlyInAnyOrder(n2Copy.path(), n2Other.path(), n3Copy.path());
    }

    @Test
    void conflictCopyNamesFollowTheNamingRules() {
        long v = commit(n1.put("d/archive.tar.gz", "1", 0));
        long dot = commit(n1.put(".bashrc", "1", 0));
        commit(n1.put("d/archive.tar.gz", "2", v));
        commit(n1.put(".bashrc", "2", dot));

        long at = logIndex + 1;
        assertThat(apply(new TestOps("node/7").put("d/archive.tar.gz", "3", v)).path())
                .isEqualTo("d/archive.tar.conflict-node_7-" + at + ".gz");
        assertThat(apply(n2.put(".bashrc", "3", dot)).path()).isEqualTo(".bashrc.conflict-n2-" + (at + 1));
    }

    @Test
    void conflictCopyNameThatIsTakenGetsACounter() {
        long v = commit(n1.put("a.txt", "1", 0));
        commit(n1.put("a.txt", "2", v));
        long at = logIndex + 2;
        // someone already has a file (differently cased) with the name the copy would get
        commit(n1.put("A.conflict-n2-" + at + ".TXT", "squatter", 0));
        Result r = apply(n2.put("a.txt", "3", v));
        assertThat(r.status()).isEqualTo(Status.CONFLICT);
        assertThat(r.path()).isEqualTo("a.conflict-n2-" + at + "-2.txt");
    }

    @Test
    void putWithStaleBaseAndSameContentIsNoop() {
        long v1 = commit(n1.put("a.txt", "base", 0));
        long v2 = commit(n1.put("a.txt", "same", v1));
        long clock = index.versionClock();
        Result r = apply(n2.put("a.txt", "same", v1));
        assertThat(r.status()).isEqualTo(Status.NOOP);
        assertThat(r.version()).isEqualTo(v2);
        assertThat(index.versionClock()).isEqualTo(clock);
        assertThat(paths()).containsExactly("a.txt");
    }

    @Test
    void putOfAPathDeletedMeanwhileRecreatesIt() {
        long v1 = commit(n1.put("a.txt", "base", 0));
        commit(n1.delete("a.txt", v1));
        Result r = apply(n2.put("a.txt", "edited", v1));
        assertThat(r.status()).isEqualTo(Status.APPLIED);
        assertThat(contentHash("a.txt")).isEqualTo(sha("edited"));
    }

    @Test
    void putUnderAParentDeletedMeanwhileRecreatesTheParents() {
        commit(n1.mkdir("p"));
        commit(n1.mkdir("p/q"));
        long v = commit(n1.put("p/q/f.txt", "x", 0));
        commit(n1.deleteDir("p", index.versionClock()));
        assertThat(paths()).isEmpty();

        Result r = apply(n2.put("p/q/f.txt", "edited", v));
        assertThat(r.status()).isEqualTo(Status.APPLIED);
        assertThat(index.get("p").isDir()).isTrue();
        assertThat(index.get("p/q").isDir()).isTrue();
        assertThat(contentHash("p/q/f.txt")).isEqualTo(sha("edited"));
    }

    @Test
    void putOfANewDeepPathCreatesItsParents() {
        Result r = apply(n1.put("x/y/z.txt", "deep", 0));
        assertThat(r.status()).isEqualTo(Status.APPLIED);
        assertThat(paths()).containsExactly("x", "x/y", "x/y/z.txt");
        assertThat(index.get("x").origin()).isEqualTo("n1");
    }

    // ------------------------------------------------------------ file vs directory

    @Test
    void fileWhereADirectoryIsBecomesConflictCopy() {
        commit(n1.mkdir("d"));
        commit(n1.put("d/inside", "keep", 0));
        long at = logIndex + 1;
        Result r = apply(n2.put("d", "a file", 0));
        assertThat(r.status()).isEqualTo(Status.CONFLICT);
        assertThat(r.path()).isEqualTo("d.conflict-n2-" + at);
        assertThat(index.get("d").isDir()).isTrue();
        assertThat(index.get("d/inside")).isNotNull();
        assertThat(contentHash(r.path())).isEqualTo(sha("a file"));
        assertThat(index.get(r.path()).conflictOf()).isEqualTo("d");
    }

    @Test
    void directoryWhereAFileIsBecomesConflictCopy() {
        commit(n1.put("f", "a file", 0));
        long at = logIndex + 1;
        Result r = apply(n2.mkdir("f"));
        assertThat(r.status()).isEqualTo(Status.CONFLICT);
        assertThat(r.path()).isEqualTo("f.conflict-n2-" + at);
        assertThat(index.get(r.path()).isDir()).isTrue();
        assertThat(index.get(r.path()).conflictOf()).isEqualTo("f");
        assertThat(contentHash("f")).isEqualTo(sha("a file"));
    }

    @Test
    void fileUnderWhatIsNowAFileIsKeptUnderAConflictCopyOfThatParent() {
        commit(n1.put("f", "a file", 0));
        long at = logIndex + 1;
        Result r = apply(n2.put("f/child.txt", "child", 0));
        assertThat(r.status()).isEqualTo(Status.CONFLICT);
        assertThat(r.path()).isEqualTo("f.conflict-n2-" + at + "/child.txt");
        assertThat(index.get("f.conflict-n2-" + at).isDir()).isTrue();
        assertThat(contentHash(r.path())).isEqualTo(sha("child"));
        assertThat(index.get(r.path()).conflictOf()).isEqualTo("f/child.txt");
        assertThat(contentHash("f")).isEqualTo(sha("a file"));
    }

    @Test
    void mkdirOfAnExistingDirectoryIsNoop() {
        long v = commit(n1.mkdir("d"));
        Result r = apply(n2.mkdir("d"));
        assertThat(r.status()).isEqualTo(Status.NOOP);
        assertThat(r.version()).isEqualTo(v);
    }

    // ------------------------------------------------------------ DELETE

    @Test
    void deleteWithCurrentBaseRemovesTheFile() {
        long v = commit(n1.put("a.txt", "x", 0));
        Result r = apply(n2.delete("a.txt", v));
        assertThat(r).isEqualTo(Result.applied("a.txt", 0));
        assertThat(index.get("a.txt")).isNull();
        assertThat(index.hasChunk(sha("x"))).isFalse();
        assertThat(index.fileBytes()).isZero();
    }

    @Test
    void deleteWithStaleBaseIsSupersededAndTheFileStays() {
        long v1 = commit(n1.put("a.txt", "x", 0));
        long v2 = commit(n1.put("a.txt", "edited", v1));
        Result r = apply(n2.delete("a.txt", v1));
        assertThat(r.status()).isEqualTo(Status.SUPERSEDED);
        assertThat(r.version()).isEqualTo(v2);
        assertThat(contentHash("a.txt")).isEqualTo(sha("edited"));
    }

    @Test
    void deleteOfAPathNotInTheIndexIsNoop() {
        Result r = apply(n1.delete("ghost", 3));
        assertThat(r.status()).isEqualTo(Status.NOOP);
    }

    @Test
    void directoryDeleteRemovesWhatWasSeenAndKeepsLaterChanges() {
        commit(n1.mkdir("d"));
        commit(n1.put("d/old.txt", "old", 0));
        long touched = commit(n1.put("d/sub/edited.txt", "v1", 0));
        commit(n1.put("d/sub2/old.txt", "old2", 0));
        long seen = index.versionClock();
        // after the deleting node's scan: one edit and one new file inside
        commit(n2.put("d/sub/edited.txt", "v2", touched));
        commit(n2.put("d/new.txt", "new", 0));

        Result r = apply(n1.deleteDir("d", seen));

        assertThat(r.status()).isEqualTo(Status.SUPERSEDED);
        assertThat(r.detail()).contains("kept");
        assertThat(paths()).containsExactly("d", "d/new.txt", "d/sub", "d/sub/edited.txt");
        assertThat(index.hasChunk(sha("old"))).isFalse();
        assertThat(index.hasChunk(sha("old2"))).isFalse();
        assertThat(index.fileBytes()).isEqualTo(2 + 3);
    }

    @Test
    void directoryDeleteWithNothingChangedRemovesTheWholeTree() {
        commit(n1.put("d/e/f.txt", "x", 0));
        commit(n1.put("d/g.txt", "y", 0));
        commit(n1.put("dd.txt", "sibling with a common prefix", 0));
        commit(n1.put("d-e", "sibling sorting before '/'", 0));
        Result r = apply(n2.deleteDir("d", index.versionClock()));
        assertThat(r).isEqualTo(Result.applied("d", 0));
        assertThat(paths()).containsExactly("d-e", "dd.txt");
    }

    // ------------------------------------------------------------ RENAME

    @Test
    void renameOfAPathNeverCommittedIsRejected() {
        Result r = apply(n1.rename(".pickbox-tmp-x", "a.txt", 0, 0));
        assertThat(r.status()).as("invalid source path").isEqualTo(Status.REJECTED);
        Result r2 = apply(n1.rename("editor.tmp", "a.txt", 0, 0));
        assertThat(r2.status()).isEqualTo(Status.REJECTED);
        assertThat(r2.path()).isEqualTo("editor.tmp");
        assertThat(r2.detail()).contains("not committed");
        assertThat(paths()).isEmpty();
        // the proposer then sends a PUT of the destination
        assertThat(apply(n1.put("a.txt", "saved", 0)).status()).isEqualTo(Status.APPLIED);
    }

    @Test
    void renameToAFreePathMovesTheFile() {
        long v = commit(n1.put("a.txt", "x", 0));
        Result r = apply(n1.rename("a.txt", "sub/b.txt", v, 0));
        assertThat(r.status()).isEqualTo(Status.APPLIED);
        assertThat(r.path()).isEqualTo("sub/b.txt");
        assertThat(index.get("a.txt")).isNull();
        assertThat(contentHash("sub/b.txt")).isEqualTo(sha("x"));
        assertThat(index.get("sub").isDir()).isTrue();
        assertThat(version("sub/b.txt")).isEqualTo(r.version()).isGreaterThan(v);
    }

    @Test
    void renameOntoADestinationStillAtDstBaseReplacesIt() {
        // an editor's atomic save: write tmp, rename over the original
        long dst = commit(n1.put("doc.txt", "old", 0));
        long tmp = commit(n1.put("doc.txt.swp", "new", 0));
        Result r = apply(n1.rename("doc.txt.swp", "doc.txt", tmp, dst));
        assertThat(r.status()).isEqualTo(Status.APPLIED);
        assertThat(r.path()).isEqualTo("doc.txt");
        assertThat(paths()).containsExactly("doc.txt");
        assertThat(contentHash("doc.txt")).isEqualTo(sha("new"));
        assertThat(index.hasChunk(sha("old"))).isFalse();
    }

    @Test
    void renameOntoADestinationChangedSinceDstBaseKeepsTheSourceAsConflictCopy() {
        long dst = commit(n1.put("doc.txt", "old", 0));
        commit(n2.put("doc.txt", "n2 edit", dst));
        long tmp = commit(n1.put("doc.txt.swp", "n1 save", 0));
        long at = logIndex + 1;
        Result r = apply(n1.rename("doc.txt.swp", "doc.txt", tmp, dst));
        assertThat(r.status()).isEqualTo(Status.CONFLICT);
        assertThat(r.path()).isEqualTo("doc.conflict-n1-" + at + ".txt");
        assertThat(contentHash("doc.txt")).isEqualTo(sha("n2 edit"));
        assertThat(contentHash(r.path())).isEqualTo(sha("n1 save"));
        assertThat(index.get("doc.txt.swp")).isNull();
    }

    @Test
    void renameConflictCopyIsMarkedAsConflict() {
        long dst = commit(n1.put("doc.txt", "old", 0));
        commit(n2.put("doc.txt", "n2 edit", dst));
        long tmp = commit(n1.put("doc.txt.swp", "n1 save", 0));
        Result r = apply(n1.rename("doc.txt.swp", "doc.txt", tmp, dst));
        assertThat(r.status()).isEqualTo(Status.CONFLICT);
        assertThat(index.get(r.path()).conflictOf()).isEqualTo("doc.txt");
        assertThat(index.conflicts()).extracting(Map.Entry::getKey).contains(r.path());
    }

    @Test
    void renameOfASourceChangedSinceSrcBaseIsRejected() {
        long v1 = commit(n1.put("a.txt", "x", 0));
        commit(n2.put("a.txt", "y", v1));
        Result r = apply(n1.rename("a.txt", "b.txt", v1, 0));
        assertThat(r.status()).isEqualTo(Status.REJECTED);
        assertThat(contentHash("a.txt")).isEqualTo(sha("y"));
        assertThat(index.get("b.txt")).isNull();
    }

    @Test
    void caseOnlyRenameIsARenameNotACollision() {
        long v = commit(n1.put("a.txt", "x", 0));
        Result r = apply(n1.rename("a.txt", "A.txt", v, 0));
        assertThat(r.status()).isEqualTo(Status.APPLIED);
        assertThat(paths()).containsExactly("A.txt");
        // the case-fold map now points at A.txt: a new a.txt collides with it, a.txt is free of ghosts
        Result again = apply(n2.put("a.txt", "other", 0));
        assertThat(again.status()).isEqualTo(Status.REJECTED);
        assertThat(again.detail()).contains("A.txt");
    }

    @Test
    void caseOnlyRenameOfADirectoryMovesItsChildren() {
        commit(n1.put("docs/a.txt", "x", 0));
        Result r = apply(n1.rename("docs", "Docs", 0, 0));
        assertThat(r.status()).isEqualTo(Status.APPLIED);
        assertThat(paths()).containsExactly("Docs", "Docs/a.txt");
    }

    @Test
    void renameOfADirectoryIntoItselfIsRejected() {
        commit(n1.mkdir("d"));
        Result r = apply(n1.rename("d", "d/e", 0, 0));
        assertThat(r.status()).isEqualTo(Status.REJECTED);
        assertThat(paths()).containsExactly("d");
    }

    @Test
    void renameOntoItselfIsNoop() {
        long v = commit(n1.put("a", "x", 0));
        assertThat(apply(n1.rename("a", "a", v, 0)).status()).isEqualTo(Status.NOOP);
        assertThat(version("a")).isEqualTo(v);
    }

    @Test
    void renameBelowAFileIsRejected() {
        long v = commit(n1.put("a", "x", 0));
        commit(n1.put("f", "file", 0));
        Result r = apply(n1.rename("a", "f/a", v, 0));
        assertThat(r.status()).isEqualTo(Status.REJECTED);
        assertThat(paths()).containsExactly("a", "f");
    }

    @Test
    void directoryRenameMovesAThousandFilesInOneApply() {
        int files = 1000;
        for (int i = 0; i < files; i++) commit(n1.put("src/d" + (i % 10) + "/f" + i + ".txt", "content " + i, 0));
        assertThat(index.size()).isEqualTo(1 + 10 + files);
        long bytes = index.fileBytes();
        List<String> events = new ArrayList<>();
        index.addListener(new IndexListener() {
            @Override public void changed(String path, Entry before, Entry after) {
                events.add((after == null ? "-" : "+") + path);
            }
            @Override public void renamed(String from, String to) {
                events.add("rename " + from + " " + to);
            }
        });

        Result r = apply(n2.rename("src", "dst", 0, 0));

        assertThat(r.status()).isEqualTo(Status.APPLIED);
        assertThat(r.path()).isEqualTo("dst");
        assertThat(index.list("src")).isEmpty();
        assertThat(index.list("dst")).hasSize(1 + 10 + files);
        assertThat(index.size()).isEqualTo(1 + 10 + files);
        assertThat(index.fileBytes()).isEqualTo(bytes);
        for (int i = 0; i < files; i++) {
            String moved = "dst/d" + (i % 10) + "/f" + i + ".txt";
            assertThat(contentHash(moved)).isEqualTo(sha("content " + i));
            assertThat(index.hasChunk(sha("content " + i))).isTrue();
        }
        assertThat(events.get(0)).isEqualTo("rename src dst");
        assertThat(events).hasSize(1 + 2 * (1 + 10 + files));
        // the case-fold map forgot src/... and knows dst/...
        assertThat(apply(n1.put("SRC/d0/f0.txt", "new", 0)).status()).isEqualTo(Status.APPLIED);
        Result collision = apply(n1.put("DST/d0/f0.txt", "new", 0));
        assertThat(collision.status()).isEqualTo(Status.REJECTED);
        assertThat(collision.detail()).contains("dst");
    }

    @Test
    void directoryRenameOntoAnExistingDirectoryBecomesConflictCopy() {
        commit(n1.put("a/x", "1", 0));
        commit(n1.put("b/y", "2", 0));
        long at = logIndex + 1;
        Result r = apply(n1.rename("a", "b", 0, 0));
        assertThat(r.status()).isEqualTo(Status.CONFLICT);
        assertThat(r.path()).isEqualTo("b.conflict-n1-" + at);
        assertThat(paths()).containsExactly("b", "b.conflict-n1-" + at, "b.conflict-n1-" + at + "/x", "b/y");
    }

    // ------------------------------------------------------------ case collisions

    @Test
    void newPathCollidingCaseInsensitivelyIsRejectedNamingTheOtherPath() {
        commit(n1.put("Readme.md", "x", 0));
        Result r = apply(n2.put("README.md", "y", 0));
        assertThat(r.status()).isEqualTo(Status.REJECTED);
        assertThat(r.detail()).contains("Readme.md");
        assertThat(paths()).containsExactly("Readme.md");
    }

    @Test
    void caseCollisionsAreRejectedForMkdirRenameAndNewParents() {
        long v = commit(n1.put("Dir/a.txt", "x", 0));
        Result mkdir = apply(n2.mkdir("dir"));
        assertThat(mkdir.status()).isEqualTo(Status.REJECTED);
        assertThat(mkdir.detail()).contains("Dir");

        Result underParent = apply(n2.put("DIR/b.txt", "y", 0));
        assertThat(underParent.status()).isEqualTo(Status.REJECTED);
        assertThat(underParent.detail()).contains("Dir");

        long other = commit(n1.put("other.txt", "o", 0));
        Result rename = apply(n2.rename("other.txt", "dir/A.TXT", other, 0));
        assertThat(rename.status()).isEqualTo(Status.REJECTED);
        assertThat(rename.detail()).contains("Dir");

        Result renameOnto = apply(n2.rename("other.txt", "DIR", other, 0));
        assertThat(renameOnto.status()).isEqualTo(Status.REJECTED);
        assertThat(renameOnto.detail()).contains("Dir");

        assertThat(paths()).containsExactly("Dir", "Dir/a.txt", "other.txt");
        assertThat(version("Dir/a.txt")).isEqualTo(v);
    }

    // ------------------------------------------------------------ META

    @Test
    void metaWithCurrentBaseUpdatesModeAndMtime() {
        long v = commit(n1.put("run.sh", "#!/bin/sh", 0));
        Result r = apply(n2.meta("run.sh", 0755, 42_000, v));
        assertThat(r.status()).isEqualTo(Status.APPLIED);
        Entry e = index.get("run.sh");
        assertThat(e.mode()).isEqualTo(0755);
        assertThat(e.executable()).isTrue();
        assertThat(e.mtime()).isEqualTo(42_000);
        assertThat(e.version()).isEqualTo(r.version()).isGreaterThan(v);
        assertThat(e.sha256()).isEqualTo(sha("#!/bin/sh"));
    }

    @Test
    void metaWithStaleBaseIsSuperseded() {
        long v1 = commit(n1.put("run.sh", "1", 0));
        long v2 = commit(n1.put("run.sh", "2", v1));
        Result r = apply(n2.meta("run.sh", 0755, 42_000, v1));
        assertThat(r.status()).isEqualTo(Status.SUPERSEDED);
        assertThat(r.version()).isEqualTo(v2);
        assertThat(index.get("run.sh").mode()).isEqualTo(0644);
    }

    @Test
    void metaWithoutChangeIsNoopAndOfAnUnknownPathRejected() {
        long v = commit(n1.put("f", "1", 0644, 7, 0));
        assertThat(apply(n1.meta("f", 0644, 7, v)).status()).isEqualTo(Status.NOOP);
        assertThat(apply(n1.meta("ghost", 0644, 7, 1)).status()).isEqualTo(Status.REJECTED);
    }

    // ------------------------------------------------------------ exactly once, bad input

    @Test
    void duplicateOriginSequenceIsDuplicateAndChangesNothing() {
        Op.Put first = n1.put("a.txt", "x", 0);
        assertThat(apply(first).status()).isEqualTo(Status.APPLIED);
        IndexState before = index.state();
        long ops = index.appliedOps();

        Result retry = apply(first);
        Result olderSeqOtherContent = apply(new Op.Put(new Op.Origin("n1", 0), "b.txt", 1, sha("b"),
                List.of(sha("b")), 0644, 0, 0, true));

        assertThat(retry.status()).isEqualTo(Status.DUPLICATE);
        assertThat(olderSeqOtherContent.status()).isEqualTo(Status.DUPLICATE);
        assertThat(index.state()).isEqualTo(before);
        assertThat(index.appliedOps()).isEqualTo(ops);
        // another origin with the same sequence number is not a duplicate
        assertThat(apply(new Op.Mkdir(new Op.Origin("n2", 1), "d", 0755, 0)).status()).isEqualTo(Status.APPLIED);
        assertThat(index.lastSeq("n1")).isEqualTo(1);
        assertThat(index.lastSeq("n2")).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"../x", "a/../../x", "/abs", "a\u0000b", ".pickbox/x", ".pickbox", "a//b", "a/", "",
            "e\u0301", "x/.pickbox-tmp-1"})
    void invalidPathsAreRejectedAndChangeNoEntry(String bad) {
        long v = commit(n1.put("ok", "x", 0));
        IndexState before = index.state();
        List<Op> ops = List.of(
                n2.put(bad, "y", 0),
                n2.mkdir(bad),
                n2.delete(bad, 1),
                n2.deleteDir(bad, Long.MAX_VALUE),
                n2.meta(bad, 0755, 1, 1),
                n2.rename("ok", bad, v, 0),
                n2.rename(bad, "ok2", 1, 0));
        for (Op op : ops) {
            Result r = apply(op);
            assertThat(r.status()).as("%s", op).isEqualTo(Status.REJECTED);
            assertThat(r.detail()).isNotBlank();
        }
        IndexState after = index.state();
        assertThat(after.entries()).isEqualTo(before.entries());
        assertThat(after.versionClock()).isEqualTo(before.versionClock());
        assertThat(after.peerAddresses()).isEqualTo(before.peerAddresses());
    }

    @Test
    void conflictCopyOfAMaximalPathIsStillAValidPath() {
        // 16 segments of 250 bytes and one of 80: exactly 4096 UTF-8 bytes
        String dir = String.join("/", java.util.Collections.nCopies(16, "s".repeat(250)));
        String path = dir + "/" + "f".repeat(76) + ".txt";
        assertThat(PathValidator.isValid(path)).isTrue();
        assertThat(path.length()).isEqualTo(4096);

        long v = commit(n1.put(path, "1", 0));
        commit(n1.put(path, "2", v));
        Result r = apply(n2.put(path, "3", v));
        assertThat(r.status()).isIn(Status.CONFLICT, Status.REJECTED);
        for (var e : index.list("")) {
            assertThat(PathValidator.isValid(e.getKey())).as("stored path of %d chars", e.getKey().length()).isTrue();
        }
    }

    @Test
    void chunkOpsAreNoops() {
        Result r = apply(new Op.Chunk(sha("x"), 1));
        assertThat(r.status()).isEqualTo(Status.NOOP);
        assertThat(index.hasChunk(sha("x"))).isFalse();
    }

    @Test
    void helloRecordsTheAdminAddress() {
        Result r = apply(n1.hello("127.0.0.1:9001"));
        assertThat(r.status()).isEqualTo(Status.APPLIED);
        apply(n2.hello("127.0.0.1:9002"));
        apply(n1.hello("10.0.0.1:9001"));
        assertThat(index.peerAddresses()).isEqualTo(Map.of("n1", "10.0.0.1:9001", "n2", "127.0.0.1:9002"));
        assertThat(index.size()).isZero();
    }

    // ------------------------------------------------------------ chunks and byte counts

    @Test
    void chunkReferencesAreCountedAcrossEntries() {
        String shared = sha("shared chunk");
        String only = sha("only in b");
        long a = commit(n1.chunkedPut("a.bin", 2L << 20, sha("A"), List.of(shared, sha("a2")), 0));
        long b = commit(n1.chunkedPut("b.bin", 2L << 20, sha("B"), List.of(shared, only), 0));
        assertThat(index.fileBytes()).isEqualTo(4L << 20);

        commit(n1.delete("a.bin", a));
        assertThat(index.hasChunk(shared)).isTrue();
        assertThat(index.hasChunk(sha("a2"))).isFalse();

        commit(n1.delete("b.bin", b));
        assertThat(index.hasChunk(shared)).isFalse();
        assertThat(index.hasChunk(only)).isFalse();
        assertThat(index.fileBytes()).isZero();
    }

    @Test
    void sameChunkTwiceInOneFileIsReferencedUntilTheFileGoes() {
        String zeros = sha("1 MiB of zeros");
        long v = commit(n1.chunkedPut("sparse", 2L << 20, sha("file"), List.of(zeros, zeros), 0));
        commit(n1.put("sparse", "small now", v));
        assertThat(index.hasChunk(zeros)).isFalse();
    }

    @Nested
    class Reads {
        @Test
        void listReturnsASubtreeInPathOrder() {
            commit(n1.put("a/b", "1", 0));
            commit(n1.put("a-b", "2", 0));
            commit(n1.put("a/c/d", "3", 0));
            commit(n1.put("ab", "4", 0));
            assertThat(index.list("a")).extracting(Map.Entry::getKey).containsExactly("a", "a/b", "a/c", "a/c/d");
            assertThat(index.list("a/c")).extracting(Map.Entry::getKey).containsExactly("a/c", "a/c/d");
            assertThat(index.list("zz")).isEmpty();
        }
    }
}
