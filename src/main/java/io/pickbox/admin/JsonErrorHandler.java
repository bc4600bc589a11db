package io.pickbox.admin;

import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.handler.ErrorHandler;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Requests Jetty refuses before any handler runs (an encoded NUL in the URI, say) still get the
 * API's JSON error shape instead of an HTML page.
 */
final class JsonErrorHandler extends ErrorHandler {

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(new HttpField(HttpHeader.CONTENT_TYPE, "application/json"));
        String detail = "malformed request (" + (reason == null ? "bad message" : reason.replace("\"", "'"))
                + "): the URI may hold an encoded NUL or control character";
        String body = "{\"error\":\"bad request\",\"detail\":\"" + detail.replace("\\", "\\\\") + "\"}";
        return ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8));
    }
}
