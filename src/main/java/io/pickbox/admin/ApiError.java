package io.pickbox.admin;

/** An error answered as JSON {@code {error, detail}} with an HTTP status. */
final class ApiError extends RuntimeException {
    final int status;
    final String error;

    ApiError(int status, String error, String detail) {
        super(detail);
        this.status = status;
        this.error = error;
    }
}
