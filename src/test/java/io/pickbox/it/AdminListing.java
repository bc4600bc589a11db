package io.pickbox.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A node's index under a prefix, every entry as {@code /v1/files} pages give it. */
final class AdminListing {
    private static final ObjectMapper JSON = new ObjectMapper();

    private AdminListing() {}

    static List<String> of(TestNode n, String prefix) throws Exception {
        List<String> out = new ArrayList<>();
        String after = null;
        do {
            String query = "/v1/files?prefix=" + URLEncoder.encode(prefix, StandardCharsets.UTF_8) + "&limit=5000"
                    + (after == null ? "" : "&after=" + URLEncoder.encode(after, StandardCharsets.UTF_8));
            JsonNode page = JSON.readTree(n.get(query).body());
            for (JsonNode e : page.path("entries")) out.add(e.toString());
            after = page.path("next").isNull() || page.path("next").isMissingNode() ? null : page.path("next").asText();
        } while (after != null);
        return out;
    }
}
