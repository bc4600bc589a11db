package io.pickbox.watch;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;

import io.pickbox.folder.SkippedNames;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Portable fallback on the JDK WatchService (native on Windows/Linux, a poller on macOS). It has no
 * rename cookies, so a rename surfaces as delete + create and everything is reported with
 * writerDone=true. Watch-key bookkeeping is confined to the watcher thread (and start() before it).
 */
final class PollingWatcher implements FolderWatcher {
    private static final Logger log = LoggerFactory.getLogger(PollingWatcher.class);

    static final String THREAD_NAME = "pickbox-watch";
    private static final WatchEvent.Kind<?>[] KINDS = {ENTRY_CREATE, ENTRY_DELETE, ENTRY_MODIFY};
    private static final WatchEvent.Modifier[] MODIFIERS = sensitivityHigh();

    private final Path root;
    private final Predicate<String> ignored;
    private final ChangeListener listener;
    private final WatchedTree<WatchKey> tree = new WatchedTree<>();
    private final WatcherThread worker;
    private WatchService service;

    PollingWatcher(Path root, Predicate<String> ignored, ChangeListener listener) {
        this.root = root.toAbsolutePath().normalize();
        this.ignored = ignored;
        this.listener = new SafeListener(listener);
        this.worker = new WatcherThread(THREAD_NAME, this.listener, log);
    }

    @Override
    public synchronized void start() throws IOException {
        worker.checkStartable();
        try {
            if (!Files.isDirectory(root)) {
                throw new NoSuchFileException(root.toString(), null, "watch root is not a directory");
            }
            service = root.getFileSystem().newWatchService();
            watchSubtree("", false);
            if (tree.handleOf("") == null) {
                throw new IOException("cannot watch root " + root);
            }
        } catch (IOException | RuntimeException e) {
            close(); // nobody can use a half-started watcher; release the WatchService now
            throw e;
        }
        worker.start(this::run);
        log.info("Watching {} with the JDK WatchService ({} directories)", root, tree.size());
    }

    @Override
    public void close() {
        if (!worker.markClosed()) {
            return;
        }
        Thread t;
        WatchService s;
        synchronized (this) {
            t = worker.thread();
            s = service;
        }
        if (s != null) {
            try {
                s.close(); // wakes take() with ClosedWatchServiceException
            } catch (IOException e) {
                log.debug("Closing WatchService for {} failed", root, e);
            }
        }
        worker.awaitEnd(t);
    }

    /** For tests: the watcher thread, or null before start(). */
    Thread thread() {
        return worker.thread();
    }

    private void run() {
        try {
            worker.begin();
            while (!worker.isClosed()) {
                WatchKey key = service.take();
                String dir = tree.pathOf(key);
                for (WatchEvent<?> event : key.pollEvents()) {
                    if (event.kind() == OVERFLOW) {
                        log.warn("WatchService overflowed for {}; requesting a full rescan", root);
                        listener.rescan("");
                    } else if (dir != null && event.context() instanceof Path name) {
                        String rel = RelPaths.child(dir, RelPaths.name(name));
                        if (!SkippedNames.skipIfNotUtf8(root, name, rel)) dispatch(event.kind(), rel);
                    }
                }
                if (!key.reset()) {
                    tree.remove(key);
                }
            }
        } catch (ClosedWatchServiceException | InterruptedException e) {
            // Normal shutdown.
        } catch (Throwable t) {
            log.error("WatchService watcher for {} failed; live change detection has stopped", root, t);
        } finally {
            try {
                service.close();
            } catch (IOException ignored) {
                // Shutting down anyway.
            }
        }
    }

    private void dispatch(WatchEvent.Kind<?> kind, String rel) {
        if (ignored.test(rel)) {
            return;
        }
        listener.changed(rel, true);
        if (kind == ENTRY_CREATE) {
            if (Files.isDirectory(RelPaths.resolve(root, rel), LinkOption.NOFOLLOW_LINKS)) {
                watchSubtree(rel, true);
            }
        } else if (kind == ENTRY_DELETE) {
            // A renamed-away directory keeps its key on Linux; drop it so it cannot report stale paths.
            for (WatchKey k : tree.removeSubtree(rel)) {
                k.cancel();
            }
        }
    }

    private void watchSubtree(String rel, boolean reportEntries) {
        SubtreeWalker.watchSubtree(root, rel, ignored, this::register, listener, reportEntries);
    }

    private boolean register(String relDir) {
        try {
            WatchKey key = RelPaths.resolve(root, relDir).register(service, KINDS, MODIFIERS);
            tree.put(relDir, key);
            return true;
        } catch (NoSuchFileException | NotDirectoryException e) {
            log.debug("'{}' vanished before it could be watched", relDir);
            return false;
        } catch (IOException e) {
            log.warn("Cannot watch {}: {}; subtree will be rescanned instead", RelPaths.resolve(root, relDir), e.toString());
            worker.rescan(relDir);
            return false;
        }
    }

    /** macOS polls every 10 s by default; HIGH (2 s) is the JDK-internal knob, absent on some JDKs. */
    private static WatchEvent.Modifier[] sensitivityHigh() {
        try {
            Class<?> c = Class.forName("com.sun.nio.file.SensitivityWatchEventModifier");
            for (Object constant : c.getEnumConstants()) {
                if (((Enum<?>) constant).name().equals("HIGH")) {
                    return new WatchEvent.Modifier[] {(WatchEvent.Modifier) constant};
                }
            }
        } catch (ClassNotFoundException | RuntimeException e) {
            // Fine: default sensitivity.
        }
        return new WatchEvent.Modifier[0];
    }
}
