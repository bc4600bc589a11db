package io.pickbox.store;

/** The storage engine failed (disk full, corruption, a closed store): the caller cannot go on as if written. */
public final class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public StoreException(String message) {
        super(message);
    }
}
