package io.pickbox.watch;

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
        try {
            delegate.changed(relPath, writerDone);
        } catch (RuntimeException e) {
            log.warn("ChangeListener.changed({}) threw", relPath, e);
        }
    }

    @Override
    public void moved(String fromRelPath, String toRelPath) {
        log.trace("moved {} -> {}", fromRelPath, toRelPath);
        try {
            delegate.moved(fromRelPath, toRelPath);
        } catch (RuntimeException e) {
            log.warn("ChangeListener.moved({}, {}) threw", fromRelPath, toRelPath, e);
        }
    }

    @Override
    public void rescan(String relDir) {
        log.debug("rescan '{}'", relDir);
        try {
            delegate.rescan(relDir);
        } catch (RuntimeException e) {
            log.warn("ChangeListener.rescan({}) threw", relDir, e);
        }
    }
}
