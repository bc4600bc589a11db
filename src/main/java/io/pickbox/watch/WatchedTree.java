package io.pickbox.watch;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Two-way map between watch handles (inotify wd or JDK WatchKey) and the relative directory they
 * watch. The kernel keeps a watch on the inode across renames, so the path side must be rewritten
 * when a directory moves. Not thread-safe: confined to the watcher thread (and start() before it).
 */
final class WatchedTree<H> {
    private final Map<H, String> pathByHandle = new HashMap<>();
    private final Map<String, H> handleByPath = new HashMap<>();

    /** Records that handle watches rel; inotify returns an existing wd for an already-watched inode, so replace stale sides. */
    void put(String rel, H handle) {
        String oldPath = pathByHandle.put(handle, rel);
        if (oldPath != null && !oldPath.equals(rel) && handle.equals(handleByPath.get(oldPath))) {
            handleByPath.remove(oldPath);
        }
        H oldHandle = handleByPath.put(rel, handle);
        if (oldHandle != null && !oldHandle.equals(handle) && rel.equals(pathByHandle.get(oldHandle))) {
            pathByHandle.remove(oldHandle);
        }
    }

    String pathOf(H handle) {
        return pathByHandle.get(handle);
    }

    H handleOf(String rel) {
        return handleByPath.get(rel);
    }

    /** Forgets a handle; the path entry is only dropped if it still points at this handle (it may have been reclaimed). */
    void remove(H handle) {
        String rel = pathByHandle.remove(handle);
        if (rel != null && handle.equals(handleByPath.get(rel))) {
            handleByPath.remove(rel);
        }
    }

    /** Removes rel and everything below it; returns the removed handles so the caller can release them. */
    List<H> removeSubtree(String rel) {
        List<H> removed = new ArrayList<>();
        for (Map.Entry<String, H> e : List.copyOf(handleByPath.entrySet())) {
            if (RelPaths.isSelfOrBelow(e.getKey(), rel)) {
                handleByPath.remove(e.getKey());
                pathByHandle.remove(e.getValue());
                removed.add(e.getValue());
            }
        }
        return removed;
    }

    /**
     * A directory was renamed: its watch and its descendants' watches now live under {@code to}.
     * Returns handles that were registered under {@code to} before (a replaced directory); they are
     * forgotten because their inodes are gone.
     */
    List<H> movePrefix(String from, String to) {
        if (from.equals(to)) {
            return List.of();
        }
        List<Map.Entry<String, H>> moving = new ArrayList<>();
        for (Map.Entry<String, H> e : handleByPath.entrySet()) {
            if (RelPaths.isSelfOrBelow(e.getKey(), from)) {
                moving.add(Map.entry(e.getKey(), e.getValue()));
            }
        }
        for (Map.Entry<String, H> e : moving) {
            handleByPath.remove(e.getKey());
        }
        List<H> replaced = removeSubtree(to);
        for (Map.Entry<String, H> e : moving) {
            String newPath = RelPaths.rebase(e.getKey(), from, to);
            handleByPath.put(newPath, e.getValue());
            pathByHandle.put(e.getValue(), newPath);
        }
        return replaced;
    }

    int size() {
        return pathByHandle.size();
    }
}
