package io.pickbox.sync;

import io.pickbox.index.Op;
import io.pickbox.index.Result;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/** Where this node's changes go to be committed (the embedded Raft client). */
public interface Proposer {
    CompletableFuture<Result> submit(Op op, ByteBuffer data);
}
