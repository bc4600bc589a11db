package io.pickbox.folder;

import java.nio.file.AccessDeniedException;

/**
 * What an I/O error says about the disk it happened on, read from the error and its causes (the
 * JDK gives the errno only as its text): a full disk or quota, or a write not allowed there. Both
 * are the disk's state, not a fault of the code that wrote, and both pass when the disk changes.
 */
public final class DiskErrors {

    private DiskErrors() {}

    /** ENOSPC or EDQUOT. */
    public static boolean noSpace(Throwable error) {
        return anyMessage(error, "No space left on device", "Disk quota exceeded");
    }

    /** EACCES, EPERM or EROFS. */
    public static boolean notAllowed(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof AccessDeniedException) return true;
        }
        return anyMessage(error, "Permission denied", "Operation not permitted", "Read-only file system");
    }

    private static boolean anyMessage(Throwable error, String... texts) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String m = t.getMessage();
            if (m == null) continue;
            for (String text : texts) if (m.contains(text)) return true;
        }
        return false;
    }
}
