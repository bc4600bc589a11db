package io.pickbox.watch;

import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Shields the watcher thread from a throwing consumer: one bad callback must not end live detection. */
final class SafeListener implements ChangeListener {
    private static final Logger log = LoggerFactory.getLogger(SafeListener.class);
    private final ChangeListener delegate;

    SafeListener(ChangeListener delegate) {
        this.delegate = delegate;
    }

    @Override
    public void changed(String relPath, boolean writerDone) {
        log.trace("changed {} writerDone={}", relPath, writerDone);
        shielded(() -> delegate.changed(relPath, writerDone), "changed({})", relPath);
    }

    @Override
    public void moved(String fromRelPath, String toRelPath) {
        log.trace("moved {} -> {}", fromRelPath, toRelPath);
        shielded(() -> delegate.moved(fromRelPath, toRelPath), "moved({}, {})", fromRelPath, toRelPath);
    }

    @Override
    public void rescan(String relDir) {
        log.debug("rescan '{}'", relDir);
        shielded(() -> delegate.rescan(relDir), "rescan({})", relDir);
    }

    /** Runs {@code call}; if it throws, logs it as {@code ChangeListener.<callShape>} with {@code args} and goes on. */
    private static void shielded(Runnable call, String callShape, Object... args) {
        try {
            call.run();
        } catch (RuntimeException e) {
            Object[] argsAndCause = Arrays.copyOf(args, args.length + 1);
            argsAndCause[args.length] = e;
            log.warn("ChangeListener." + callShape + " threw", argsAndCause);
        }
    }
}
