package io.pickbox.cli;

import org.apache.ratis.util.Daemon;

import java.util.ArrayList;
import java.util.List;

/**
 * A process that runs out of heap on a Ratis daemon thread, for {@link OutOfMemoryHaltTest}. With
 * {@code caught}, the thread catches the error and carries on, as Ratis's state machine updater does
 * (it closes the Raft server and the process lives on). With {@code logged}, an error thrown by code
 * (direct buffer memory) is caught and logged instead. Exits 0 if it is still alive afterwards.
 */
public final class OutOfMemoryChild {

    public static void main(String[] args) throws Exception {
        boolean caught = args.length > 0 && args[0].equals("caught");
        OutOfMemoryHalt.install();
        if (args.length > 0 && args[0].equals("logged")) {
            // What Ratis does with an error it meets sending to a follower: logs it, and the thread ends.
            org.slf4j.LoggerFactory.getLogger("org.apache.ratis.grpc.server.GrpcLogAppender").warn("{} failed", "appender",
                    new java.util.concurrent.CompletionException(new OutOfMemoryError("Cannot reserve 1048576 bytes of direct buffer memory")));
            Thread.sleep(2000);
            System.err.println("still alive");
            System.exit(0);
        }
        Runnable exhaust = () -> {
            List<byte[]> hoard = new ArrayList<>();
            while (true) hoard.add(new byte[1 << 20]);
        };
        Thread t = Daemon.newBuilder().setName("ratis-like-updater").setRunnable(caught ? () -> {
            try {
                exhaust.run();
            } catch (Throwable e) {
                System.err.println("caught " + e + ", carrying on");
            }
        } : exhaust).build();
        t.start();
        t.join();
        Thread.sleep(2000);
        System.err.println("still alive");
        System.exit(0);
    }
}
