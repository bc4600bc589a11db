package io.pickbox.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pickbox.os.Durability;
import io.pickbox.store.Durable;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * {@code node.json} in the state directory: which node this state belongs to, of which cluster,
 * and its ports. Written whole or not at all (a temp file made durable, renamed over it, the
 * directory made durable). Everything in it is known again from the node's configuration, its
 * certificate or its Raft group, so a damaged one (a power cut on a version that wrote it in
 * place, a disk error) is moved aside, reported, and written anew at start-up rather than keeping
 * the node down.
 */
final class NodeFile {
    static final String NAME = "node.json";

    /** What node.json says; fields absent from it are empty. */
    record Identity(String nodeId, String clusterId) {}

    private NodeFile() {}

    /** What {@code state}'s node.json says; null when there is none, or it was damaged (then moved aside). */
    static Identity read(Path state) throws IOException {
        Path file = state.resolve(NAME);
        if (!Files.exists(file)) return null;
        JsonNode json;
        try {
            json = new ObjectMapper().readTree(file.toFile());
            if (json == null || !json.isObject() || !json.path("nodeId").isTextual()) throw new IOException("no node id in it");
        } catch (IOException damaged) {
            Durable.moveAside(file, damaged.getMessage().lines().findFirst().orElse(""),
                    "it is written again from this node's configuration");
            return null;
        }
        return new Identity(json.path("nodeId").asText(), json.path("clusterId").asText(""));
    }

    static void write(Path state, String nodeId, String clusterId, int port, int adminPort) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode json = mapper.createObjectNode();
        json.put("nodeId", nodeId);
        if (clusterId != null) json.put("clusterId", clusterId);
        json.put("port", port);
        json.put("adminPort", adminPort);
        Path file = state.resolve(NAME);
        Path tmp = state.resolve(NAME + ".tmp");
        Files.write(tmp, mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(json),
                StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        Durability.current().force(tmp);
        Durability.current().rename(tmp, file);
        Durability.current().forceDirectory(state);
    }
}
