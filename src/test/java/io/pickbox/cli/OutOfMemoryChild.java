package io.pickbox.cli;

import org.apache.ratis.util.Daemon;

import java.util.ArrayList;
import java.util.List;

/**
 * A process that runs out of heap on a Ratis daemon thread, for {@link OutOfMemoryHaltTest}. With
 * {@code caught}, the thread catches the error and carries on, as Ratis's state machine updater does
 * (it closes the Raft server and the process lives on). Exits 0 if it is still alive afterwards.
 */
public final class OutOfMemoryChild {

    public static void main(String[] args) throws Exception {
        boolean caught = args.length > 0 && args[0].equals("caught");
        OutOfMemoryHalt.install();
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
