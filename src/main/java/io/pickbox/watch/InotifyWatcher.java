package io.pickbox.watch;

import static io.pickbox.os.Errno.ENOENT;
import static io.pickbox.os.Errno.ENOSPC;
import static io.pickbox.os.Errno.ENOTDIR;
import static io.pickbox.os.Inotify.*;

import io.pickbox.folder.Ignores;
import io.pickbox.folder.SkippedNames;
import io.pickbox.os.FolderDir;
import io.pickbox.os.Inotify;
import io.pickbox.os.SymlinkInPathException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Linux watcher: one inotify watch per directory, events read on a single daemon thread.
 * All mutable state (watch map, pending moves) is confined to that thread, except during start(),
 * which runs before the thread exists.
 */
final class InotifyWatcher implements FolderWatcher {
    private static final Logger log = LoggerFactory.getLogger(InotifyWatcher.class);

    static final String THREAD_NAME = "pickbox-inotify";
    /** How long an unpaired IN_MOVED_FROM waits for its IN_MOVED_TO before it counts as "moved out". */
    static final long MOVE_PAIR_GRACE_MILLIS = 30;

    // IN_EXCL_UNLINK: no events for files that are already unlinked but still open (temp-file churn).
    private static final int MASK = IN_CLOSE_WRITE | IN_MODIFY | IN_ATTRIB | IN_CREATE | IN_DELETE
            | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_EXCL_UNLINK;
    private static final int MAX_WATCH_FAILURE_WARNINGS = 10;

    private final Path root;
    private final Predicate<String> ignored;
    private final Predicate<String> ownTemps;
    /** The cookie of the last rename away from one of the consumer's own temp files (0: none). */
    private int ownPlacementCookie;
    private final ChangeListener listener;
    private final Inotify channel;
    private final WatchedTree<Integer> tree = new WatchedTree<>();
    private final MoveMatcher moves = new MoveMatcher(MOVE_PAIR_GRACE_MILLIS);
    private final GoneBeforeWatched goneBeforeWatched = new GoneBeforeWatched();
    private final WatcherThread worker;
    private int watchFailureWarnings;

    private InotifyWatcher(Path root, Predicate<String> ignored, Predicate<String> ownTemps, ChangeListener listener,
                           Inotify channel) {
        this.root = root.toAbsolutePath().normalize();
        this.ignored = ignored;
        this.ownTemps = ownTemps;
        this.listener = new SafeListener(listener);
        this.channel = channel;
        this.worker = new WatcherThread(THREAD_NAME, this.listener, log);
    }

    /**
     * Allocates the inotify instance now so the factory can fall back if the kernel refuses. A rename
     * of one of {@code ownTemps} into place is not reported.
     */
    static InotifyWatcher open(Path root, Predicate<String> ignored, Predicate<String> ownTemps, ChangeListener listener)
            throws IOException {
        return new InotifyWatcher(root, ignored, ownTemps, listener, Inotify.open());
    }

    @Override
    public synchronized void start() throws IOException {
        worker.checkStartable();
        if (!Files.isDirectory(root)) {
            close();
            throw new NoSuchFileException(root.toString(), null, "watch root is not a directory");
        }
        long t0 = System.nanoTime();
        // Initial content is the consumer's own full scan; only changes from now on are reported.
        watchSubtree("", false);
        if (tree.handleOf("") == null) {
            close(); // nobody can use a half-started watcher; release the fds now
            throw new IOException("cannot watch root " + root + " with inotify");
        }
        worker.start(this::run);
        log.info("Watching {} with inotify ({} directories, {} ms)", root, tree.size(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }

    @Override
    public void close() {
        if (!worker.markClosed()) {
            return;
        }
        Thread t = worker.thread();
        if (t == null) {
            channel.close();
            return;
        }
        channel.wakeUp();
        // A listener may close us from its callback; the loop sees the flag once the callback returns.
        worker.awaitEnd(t);
        log.debug("Stopped watching {}", root);
    }

    /** For tests: the reader thread, or null before start(). */
    Thread thread() {
        return worker.thread();
    }

    private void run() {
        try {
            worker.begin();
            while (!worker.isClosed()) {
                Inotify.Ready ready = channel.await(moves.millisUntilNextDeadline(System.nanoTime()));
                if (worker.isClosed()) {
                    break;
                }
                if (ready == Inotify.Ready.EVENTS) {
                    ByteBuffer batch = channel.read();
                    InotifyEvent.parse(batch, this::dispatch);
                }
                // Only give up on a MOVED_TO once the queue is drained: a slow batch must not split a rename.
                if (!moves.isEmpty() && moves.millisUntilNextDeadline(System.nanoTime()) == 0
                        && !channel.hasQueuedEvents()) {
                    for (MoveMatcher.Pending p : moves.takeExpired(System.nanoTime())) {
                        movedOut(p);
                    }
                }
            }
        } catch (Throwable t) {
            log.error("inotify watcher for {} failed; live change detection has stopped", root, t);
        } finally {
            channel.close();
        }
    }

    private void dispatch(InotifyEvent e) {
        if (e.is(IN_Q_OVERFLOW)) {
            log.warn("inotify queue overflowed for {}; requesting a full rescan", root);
            listener.rescan("");
            return;
        }
        String dir = tree.pathOf(e.wd());
        if (dir == null) {
            return; // Late event for a watch we already dropped (moved out or ignored).
        }
        if (e.is(IN_IGNORED)) {
            tree.remove(e.wd());
            return;
        }
        if (e.name().isEmpty()) {
            selfEvent(dir, e);
            return;
        }
        String rel = RelPaths.child(dir, e.name());
        if (!Ignores.isInternal(rel) && !ignored.test(rel) && skipped(e, rel)) {
            // Said once per path (a newline in a name, say); a valid file renamed to such a name
            // is not matched by a MOVED_TO, so it counts as moved out: deleted from the folder.
            return;
        }
        boolean isDir = e.is(IN_ISDIR);
        if (e.is(IN_MOVED_FROM)) {
            if (!ignored.test(rel)) {
                moves.movedFrom(e.cookie(), rel, isDir, System.nanoTime());
            } else if (!isDir && ownTemps.test(e.name())) {
                ownPlacementCookie = e.cookie(); // the kernel reports its MOVED_TO next
            }
        } else if (e.is(IN_MOVED_TO)) {
            if (e.cookie() != 0 && e.cookie() == ownPlacementCookie) {
                ownPlacementCookie = 0;
                return;
            }
            movedTo(e.cookie(), rel, isDir);
        } else if (ignored.test(rel)) {
            return;
        } else if (e.is(IN_CREATE)) {
            created(rel, isDir);
        } else if (e.is(IN_CLOSE_WRITE)) {
            listener.changed(rel, true);
        } else if (e.is(IN_MODIFY)) {
            listener.changed(rel, false);
        } else if (e.is(IN_ATTRIB | IN_DELETE)) {
            // Deleted directories clean up their own watch via IN_IGNORED.
            listener.changed(rel, true);
        }
    }

    /** True, after the WARN the first time, when the name of {@code e} (at {@code rel}) cannot be replicated. */
    private boolean skipped(InotifyEvent e, String rel) {
        if (e.nameUtf8()) return SkippedNames.skipIfInvalid(root, rel);
        // Decoded with U+FFFD in place of the bytes that are not UTF-8: rel names no file.
        SkippedNames.warnOnce(root, rel, SkippedNames.NOT_UTF8);
        return true;
    }

    private void selfEvent(String dir, InotifyEvent e) {
        // Subdirectories' own DELETE/MOVE are already reported through their parent's watch.
        if (dir.isEmpty() && e.is(IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT)) {
            log.warn("Watched root {} was deleted, moved or unmounted; live change detection is unreliable", root);
            listener.rescan("");
        }
    }

    private void created(String rel, boolean isDir) {
        if (!isDir) {
            listener.changed(rel, createIsComplete(rel));
            return;
        }
        listener.changed(rel, true);
        // Files may already exist inside (mkdir -p a/b && echo > a/b/f, cp -r): watch first, then list.
        watchSubtree(rel, true);
    }

    /**
     * A new regular file will normally get IN_CLOSE_WRITE later, so its create is only a hint.
     * Symlinks, fifos and hard links (link(2) never opens the file) are complete at once.
     */
    private boolean createIsComplete(String rel) {
        Path p = RelPaths.resolve(root, rel);
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isRegularFile()) {
                return true;
            }
            Object nlink = Files.getAttribute(p, "unix:nlink", LinkOption.NOFOLLOW_LINKS);
            return nlink instanceof Integer n && n > 1;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return true; // Already gone again: the create is as complete as it will ever be.
        }
    }

    private void movedTo(int cookie, String rel, boolean isDir) {
        MoveMatcher.Pending from = moves.movedTo(cookie);
        boolean targetIgnored = ignored.test(rel);
        if (from == null) {
            if (!targetIgnored) {
                movedIn(rel, isDir);
            }
        } else if (targetIgnored) {
            movedOut(from);
        } else {
            if (from.isDir()) {
                // The watches travel with the inodes; only our path bookkeeping must follow.
                tree.movePrefix(from.rel(), rel);
                watchWhatWasGone(from.rel(), rel);
            }
            listener.moved(from.rel(), rel);
        }
    }

    /**
     * Directories made in the moved one (or the moved one itself) before this thread read their
     * creates found nothing to watch under their old paths: watched now under the new ones, or
     * every later change in them would go unseen. What they already hold is the consumer's to look
     * through after the move, as for any moved directory.
     */
    private void watchWhatWasGone(String from, String to) {
        for (String dir : goneBeforeWatched.movedTo(from, to, System.nanoTime())) {
            watchSubtree(dir, false);
        }
    }

    private void movedIn(String rel, boolean isDir) {
        listener.changed(rel, true);
        if (isDir) {
            watchSubtree(rel, false);
            listener.rescan(rel);
        }
    }

    private void movedOut(MoveMatcher.Pending p) {
        if (p.isDir()) {
            // The kernel would keep reporting the departed tree under its old path; stop listening to it.
            for (int wd : tree.removeSubtree(p.rel())) {
                channel.removeWatch(wd);
            }
        }
        listener.changed(p.rel(), true);
    }

    private void watchSubtree(String rel, boolean reportEntries) {
        SubtreeWalker.watchSubtree(root, rel, ignored, this::addWatch, listener, reportEntries);
    }

    private boolean addWatch(String relDir) {
        // The root may itself be a symlink the user chose; below it, links are never followed: the
        // directory is reached without following one (FolderDir) and watched through the
        // descriptor held, which names that very directory (where paths are used as they are,
        // IN_DONT_FOLLOW keeps the last component from being followed at least).
        int wd;
        if (relDir.isEmpty()) {
            wd = channel.addWatch(root, MASK);
        } else {
            try (FolderDir dir = FolderDir.open(root, relDir)) {
                wd = channel.addWatch(dir.path(), FolderDir.safe() ? MASK : MASK | IN_DONT_FOLLOW);
            } catch (NoSuchFileException | NotDirectoryException | SymlinkInPathException gone) {
                wd = -ENOENT;
            } catch (IOException e) {
                return watchFailed(relDir, e.getMessage());
            }
        }
        if (wd >= 0) {
            tree.put(relDir, wd);
            return true;
        }
        int errno = -wd;
        if (errno == ENOENT || errno == ENOTDIR) {
            // Gone (or replaced by a file/symlink) before we got to it; its parent reports that,
            // and a rename of it (or above it) queued behind is watched then.
            log.debug("'{}' vanished before it could be watched (errno {})", relDir, errno);
            goneBeforeWatched.add(relDir, System.nanoTime());
            return false;
        }
        return watchFailed(relDir, "errno " + errno + (errno == ENOSPC ? " (fs.inotify.max_user_watches reached)" : ""));
    }

    /** A directory that could not be watched is rescanned instead; false. */
    private boolean watchFailed(String relDir, String why) {
        if (watchFailureWarnings < MAX_WATCH_FAILURE_WARNINGS) {
            watchFailureWarnings++;
            log.warn("inotify_add_watch failed for {} {}; subtree will be rescanned instead{}",
                    RelPaths.resolve(root, relDir), why,
                    watchFailureWarnings == MAX_WATCH_FAILURE_WARNINGS ? " (further failures logged at DEBUG)" : "");
        } else {
            log.debug("inotify_add_watch failed for {} {}", RelPaths.resolve(root, relDir), why);
        }
        worker.rescan(relDir);
        return false;
    }
}
