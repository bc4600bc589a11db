package io.pickbox.index;

import static io.pickbox.index.TestOps.sha;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;


import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class IndexStateTest {

    @AfterEach
    void closeIndexes() {
        TempIndexes.closeAll();
    }

    private final TestOps n1 = new TestOps("n1");
    private final TestOps n2 = new TestOps("n2");

    static byte[] write(IndexState state) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                state.writeTo(out);
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static IndexState read(byte[] data) throws IOException {
        return IndexState.readFrom(new DataInputStream(new ByteArrayInputStream(data)));
    }

    /** An index with a bit of everything: dirs, files, a conflict copy, chunked files, several origins. */
    private Index populated() {
        Index index = TempIndexes.open();
        long log = 10;
        long v = index.apply(n1.put("docs/a.txt", "one", 0), ++log).version();
        index.apply(n1.put("docs/a.txt", "two", v), ++log);
        index.apply(n2.put("docs/a.txt", "three", v), ++log); // conflict copy
        index.apply(n2.chunkedPut("big.bin", 3L << 20, sha("big"), List.of(sha("1"), sha("2"), sha("3")), 0), ++log);
        index.apply(n1.put("empty", "", 0), ++log);
        index.apply(n1.mkdir("empty-dir"), ++log);
        index.apply(n1.put("日本/ü.txt", "unicode", 0), ++log);
        index.apply(n1.hello("127.0.0.1:9001"), ++log);
        index.apply(n2.hello("[::1]:9002"), ++log);
        index.apply(n1.trust(1_000, new TrustChange.Invite(sha("secret"), 10_000, false)), ++log);
        index.apply(n1.trust(1_000, new TrustChange.Admit("n2", "ab01", 50_000, false, "")), ++log);
        index.apply(n1.trust(1_000, new TrustChange.Admit("n3", "cd02", 50_000, true, "")), ++log);
        index.apply(n1.trust(2_000, new TrustChange.Revoke("n3")), ++log);
        return index;
    }

    @Test
    void writeThenReadGivesAnEqualState() throws IOException {
        IndexState state = populated().state();
        assertThat(state.entries().values()).anyMatch(e -> e.conflictOf() != null);
        IndexState back = read(write(state));
        assertThat(back).isEqualTo(state);
        assertThat(read(write(back))).isEqualTo(state);
    }

    @Test
    void emptyIndexRoundTrips() throws IOException {
        IndexState empty = TempIndexes.open().state();
        assertThat(read(write(empty))).isEqualTo(empty);
    }

    @Test
    void garbageIsNotASnapshot() {
        assertThatThrownBy(() -> read(new byte[] {1, 2, 3, 4, 5})).isInstanceOf(IOException.class);
        byte[] truncated = write(populated().state());
        assertThatThrownBy(() -> read(java.util.Arrays.copyOf(truncated, truncated.length / 2)))
                .isInstanceOf(IOException.class);
    }

    /** An entry's kind byte and chunk count, damaged: refused as corrupt, neither an index out of bounds nor a list sized by the count. */
    @Test
    void aDamagedKindOrChunkCountIsACorruptSnapshot() throws IOException {
        for (int kind : new int[] {2, -1, 127}) {
            assertThatThrownBy(() -> read(oneEntry(kind, 0))).isExactlyInstanceOf(IOException.class)
                    .hasMessage("corrupt index entry (kind " + kind + ")");
        }
        assertThatThrownBy(() -> read(oneEntry(0, -5))).isExactlyInstanceOf(IOException.class)
                .hasMessage("corrupt index entry (-5 chunks)");
        assertThatThrownBy(() -> read(oneEntry(0, Integer.MAX_VALUE))).isInstanceOf(java.io.EOFException.class);
    }

    /** A snapshot of one entry at "a" whose kind byte and chunk count are as given, and nothing after them. */
    private static byte[] oneEntry(int kind, int chunks) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(0x50424932);
            out.writeLong(1);
            out.writeInt(0);
            out.writeInt(0);
            out.writeInt(1);
            out.writeUTF("a");
            out.writeByte(kind);
            out.writeLong(1);
            out.writeLong(0);
            out.writeBoolean(false);
            out.writeInt(chunks);
        }
        return bytes.toByteArray();
    }

    @Test
    void restoredIndexAnswersReadsLikeTheOriginal() throws IOException {
        Index original = populated();
        Index restored = TempIndexes.open();
        restored.restore(read(write(original.state())));

        assertThat(restored.state()).isEqualTo(original.state());
        assertThat(restored.list("")).isEqualTo(original.list(""));
        assertThat(restored.fileBytes()).isEqualTo(original.fileBytes());
        assertThat(restored.size()).isEqualTo(original.size());
        assertThat(restored.versionClock()).isEqualTo(original.versionClock());
        assertThat(restored.peerAddresses()).isEqualTo(original.peerAddresses());
        assertThat(restored.conflicts()).isEqualTo(original.conflicts());
        assertThat(restored.trust()).isEqualTo(original.trust());
        assertThat(restored.trust().isRevoked("cd02")).isTrue();
        assertThat(restored.trust().inviteProblem(sha("secret"), 2_000, false)).isNull();
        assertThat(restored.lastSeq("n1")).isEqualTo(original.lastSeq("n1"));
        for (String chunk : List.of(sha("1"), sha("2"), sha("3"), sha("two"), sha("three"), sha("one"))) {
            assertThat(restored.hasChunk(chunk)).as(chunk).isEqualTo(original.hasChunk(chunk));
        }
    }

    @Test
    void restoredIndexDecidesTheNextOpsExactlyLikeTheOriginal() throws IOException {
        Index original = populated();
        Index restored = TempIndexes.open();
        restored.restore(read(write(original.state())));

        long v = original.get("docs/a.txt").version();
        long big = original.get("big.bin").version();
        List<Op> next = List.of(
                n1.put("docs/a.txt", "stale", v - 1),      // conflict copy, named from versions and log index
                n2.put("DOCS/b.txt", "case", 0),            // case collision via the rebuilt fold map
                n2.put("docs/A.TXT", "case", 0),
                new Op.Put(new Op.Origin("n1", 1), "dup", 1, sha("d"), List.of(sha("d")), 0, 0, 0, true), // duplicate
                n1.rename("docs", "Docs", 0, 0),            // case-only directory rename
                n2.delete("big.bin", big),
                n1.put("x", "new", 0),
                n1.deleteDir("Docs", v));
        long log = 1000;
        for (Op op : next) {
            log++;
            assertThat(restored.apply(op, log)).as("%s", op).isEqualTo(original.apply(op, log));
            assertThat(restored.state()).isEqualTo(original.state());
            assertThat(restored.fileBytes()).isEqualTo(original.fileBytes());
        }
        assertThat(restored.hasChunk(sha("2"))).isFalse();
        assertThat(original.hasChunk(sha("2"))).isFalse();
    }
}
