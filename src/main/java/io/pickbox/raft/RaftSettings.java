package io.pickbox.raft;

import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Ratis properties for one node, tuned for bounded memory (see notes on Ratis caches). */
final class RaftSettings {

    private RaftSettings() {}

    static RaftProperties server(String host, int port, Path storageDir, long snapshotEvery, SizeInBytes segmentSize) {
        RaftProperties p = new RaftProperties();
        RaftServerConfigKeys.setStorageDir(p, List.of(new File(storageDir.toString())));
        GrpcConfigKeys.Server.setHost(p, host);
        GrpcConfigKeys.Server.setPort(p, port);

        // Several nodes share two cores in tests and demos: be patient before electing.
        RaftServerConfigKeys.Rpc.setTimeoutMin(p, TimeDuration.valueOf(500, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(p, TimeDuration.valueOf(1000, TimeUnit.MILLISECONDS));
        // A long GC or laptop sleep must not close the server.
        RaftServerConfigKeys.setCloseThreshold(p, TimeDuration.valueOf(1, TimeUnit.HOURS));
        // How long the leader waits before trying a failing follower again. Ratis's default waits 1 s
        // after ten errors and 5 s after thirty: a member back from a reboot or a crash heard from its
        // leader only seconds after it was up, and the reply that tells the leader where its log ends
        // counts as one more error, so twice. A refused connection costs next to nothing to retry.
        RaftServerConfigKeys.Log.Appender.setRetryPolicy(p, "1ms,10, 100ms," + Integer.MAX_VALUE);
        // A follower appends what its leader sends as it arrives. Ratis's "compose" of appends takes
        // a resend that starts where an append still being written started for a duplicate of it,
        // and acknowledges the entries only the resend carried without ever writing them: the
        // leader counts them towards a majority, and sends that follower nothing but heartbeats
        // until the next change (FollowerAppendTest).
        RaftServerConfigKeys.Log.setAppendEntriesComposeEnabled(p, false);

        // Chunk bytes are served from the blob store (read()), so Ratis must not cache them.
        RaftServerConfigKeys.Log.StateMachineData.setCachingEnabled(p, true);
        RaftServerConfigKeys.Log.StateMachineData.setReadTimeout(p, TimeDuration.valueOf(5, TimeUnit.SECONDS));
        RaftServerConfigKeys.Log.setSegmentCacheSizeMax(p, SizeInBytes.valueOf("16MB"));
        RaftServerConfigKeys.Log.setQueueByteLimit(p, SizeInBytes.valueOf("16MB"));
        RaftServerConfigKeys.Write.setByteLimit(p, SizeInBytes.valueOf("16MB"));
        // The leader keeps up to (outstanding appends x buffer) of entries per follower for resending.
        RaftServerConfigKeys.Log.Appender.setBufferByteLimit(p, SizeInBytes.valueOf("2MB"));
        GrpcConfigKeys.Server.setLeaderOutstandingAppendsMax(p, 4);
        // A checkpoint travels in chunks, several in flight, each copied into direct memory by gRPC.
        // Ratis's 16 MB chunks, 8 in flight, needed 128 MB of it for a large checkpoint (more than a
        // node has): 1 MB chunks, 4 in flight, need 4 MB whatever the checkpoint's size.
        RaftServerConfigKeys.Log.Appender.setSnapshotChunkSizeMax(p, SizeInBytes.valueOf("1MB"));
        GrpcConfigKeys.Server.setInstallSnapshotRequestElementLimit(p, 4);
        RaftServerConfigKeys.Log.setSegmentSizeMax(p, segmentSize);
        RaftServerConfigKeys.Log.setPreallocatedSize(p, SizeInBytes.valueOf(Math.min(segmentSize.getSize(), 4L << 20)));

        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, snapshotEvery);
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(p, 2);
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
        RaftServerConfigKeys.Log.setPurgeGap(p, (int) Math.max(1, Math.min(snapshotEvery, 1024)));
        return p;
    }

    static RaftProperties client() {
        RaftProperties p = new RaftProperties();
        org.apache.ratis.client.RaftClientConfigKeys.Rpc.setRequestTimeout(p, TimeDuration.valueOf(10, TimeUnit.SECONDS));
        return p;
    }
}
