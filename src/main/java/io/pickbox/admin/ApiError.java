package io.pickbox.admin;

import java.util.LinkedHashMap;
import java.util.Map;

/** An error answered as JSON {@code {error, detail}} with an HTTP status. */
final class ApiError extends RuntimeException {
    final int status;
    final String error;

    ApiError(int status, String error, String detail) {
        super(detail);
        this.status = status;
        this.error = error;
    }

    /** The JSON body of an error answer. */
    static Map<String, String> body(String error, String detail) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("error", error);
        m.put("detail", detail);
        return m;
    }
}
