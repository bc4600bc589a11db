package io.pickbox.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;

import java.io.IOException;
import java.io.InputStream;

/** A small JSON object sent as a request body: 415 when not JSON, 413 when too large, 400 when malformed. */
final class JsonBody {

    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonBody() {}

    static JsonNode read(Context ctx, int maxBytes) throws IOException {
        String type = ctx.contentType() == null ? "" : ctx.contentType().split(";")[0].trim();
        if (!type.equalsIgnoreCase("application/json")) throw new ApiError(415, "unsupported media type", "send application/json");
        if (ctx.contentLength() > maxBytes) throw new ApiError(413, "payload too large", "JSON bodies are limited to " + maxBytes + " bytes");
        byte[] body;
        try (InputStream in = new LimitedInputStream(ctx.bodyInputStream(), maxBytes)) {
            body = in.readAllBytes();
        }
        JsonNode n;
        try {
            n = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new ApiError(400, "malformed JSON", e.getOriginalMessage());
        }
        if (n == null || !n.isObject()) throw new ApiError(400, "bad request", "the body must be a JSON object");
        return n;
    }
}
