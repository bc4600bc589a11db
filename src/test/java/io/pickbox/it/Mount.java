package io.pickbox.it;

import java.nio.file.Path;

/** Small file systems for the tests of a full disk: tmpfs mounts, which need root. */
final class Mount {

    private Mount() {}

    /** Mounts a tmpfs of {@code size} (as mount takes it: 50m) on {@code dir}; false where mounting is not allowed. */
    static boolean tmpfs(Path dir, String size) throws Exception {
        return run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir.toString());
    }

    /** Gives the tmpfs on {@code dir} a new size, its files kept. */
    static boolean remount(Path dir, String size) throws Exception {
        return run("mount", "-o", "remount,size=" + size, dir.toString());
    }

    /** Unmounts {@code dir}, even while files there are still open (lazily). */
    static void unmount(Path dir) throws Exception {
        run("umount", "-l", dir.toString());
    }

    private static boolean run(String... cmd) throws Exception {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0;
        } catch (java.io.IOException noCommand) {
            return false;
        }
    }
}
