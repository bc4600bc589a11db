package io.pickbox.trust;

/** An invite token that cannot be read; the message says what is wrong with it, never what it contains. */
public final class InvalidTokenException extends Exception {

    private static final long serialVersionUID = 1L;

    public InvalidTokenException(String message) {
        super(message);
    }
}
