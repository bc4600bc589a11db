package io.pickbox.index;

import static io.pickbox.index.TestOps.sha;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/** What every op answers: its type, its origin, the same op from another origin, and its case. */
class OpTest {

    private final TestOps n1 = new TestOps("node1");
    private final Op.Chunk chunk = new Op.Chunk(sha("x"), 1);

    private List<Op> oneOfEach() {
        return List.of(chunk, n1.put("a", "hello", 0), n1.mkdir("d"), n1.delete("a", 1),
                n1.rename("a", "b", 1, 0), n1.meta("a", 0755, 2_000L, 1), n1.hello("10.0.0.1:7700"),
                n1.trust(1, new TrustChange.Revoke("n2")),
                new Op.Restore(new Op.Origin("n1", 9), "d", 0, 1_000L, null, 5, null),
                new Op.History(new Op.Origin("n1", 10), 30, 0, 0));
    }

    /** Names each op by the case {@link Op#accept} calls. */
    private static final Op.Cases<Op.Type> CASE = new Op.Cases<>() {
        @Override
        public Op.Type chunk(Op.Chunk c) {
            return Op.Type.CHUNK;
        }

        @Override
        public Op.Type put(Op.Put p) {
            return Op.Type.PUT;
        }

        @Override
        public Op.Type mkdir(Op.Mkdir m) {
            return Op.Type.MKDIR;
        }

        @Override
        public Op.Type delete(Op.Delete d) {
            return Op.Type.DELETE;
        }

        @Override
        public Op.Type rename(Op.Rename r) {
            return Op.Type.RENAME;
        }

        @Override
        public Op.Type meta(Op.Meta m) {
            return Op.Type.META;
        }

        @Override
        public Op.Type hello(Op.Hello h) {
            return Op.Type.HELLO;
        }

        @Override
        public Op.Type trust(Op.Trust t) {
            return Op.Type.TRUST;
        }

        @Override
        public Op.Type restore(Op.Restore r) {
            return Op.Type.RESTORE;
        }

        @Override
        public Op.Type history(Op.History h) {
            return Op.Type.HISTORY;
        }
    };

    @Test
    void eachKindHasItsOwnTypeAndCase() {
        List<Op> ops = oneOfEach();
        assertThat(ops).extracting(Op::type).containsExactly(Op.Type.values());
        for (Op op : ops) assertThat(op.accept(CASE)).as(op.toString()).isEqualTo(op.type());
    }

    @Test
    void withOriginReplacesTheOriginAndNothingElse() {
        Op.Origin other = new Op.Origin("node2", 42);
        for (Op op : oneOfEach()) {
            if (op.type() == Op.Type.CHUNK) continue;
            Op moved = op.withOrigin(other);
            assertThat(moved.origin()).isEqualTo(other);
            assertThat(moved.withOrigin(op.origin())).isEqualTo(op);
            assertThat(moved.type()).isEqualTo(op.type());
        }
    }

    @Test
    void aChunkHasNoOriginAndKeepsNone() {
        assertThat(chunk.origin()).isEqualTo(Op.Origin.NONE);
        assertThat(chunk.origin().isNone()).isTrue();
        assertThat(chunk.withOrigin(new Op.Origin("node2", 42))).isSameAs(chunk);
        assertThat(oneOfEach()).filteredOn(op -> op != chunk).noneMatch(op -> op.origin().isNone());
    }

    @Test
    void describeNamesTheKindAndThePath() {
        assertThat(n1.put("a/b.txt", "hello", 0).describe()).isEqualTo("PUT a/b.txt");
        assertThat(n1.rename("a", "b", 1, 0).describe()).isEqualTo("RENAME a -> b");
        assertThat(chunk.describe()).isEqualTo("CHUNK " + chunk.sha256());
    }
}
