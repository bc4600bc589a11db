package io.pickbox.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.pickbox.raft.MembershipChanges;
import io.pickbox.raft.MembershipChanges.UnknownMemberException;

import java.io.IOException;
import java.util.Map;
import java.util.regex.Pattern;

/** {@code /v1/cluster/...}: inviting, adding and removing members, handing leadership over. */
final class ClusterRoutes {

    private static final int MAX_JSON = 64 * 1024;
    private static final Pattern MEMBER_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    private static final Pattern HOST_PORT = Pattern.compile("[A-Za-z0-9.\\-]{1,253}:\\d{1,5}|\\[[0-9A-Fa-f:.]{2,45}]:\\d{1,5}");

    private static final long DEFAULT_INVITE_SECONDS = 3600;

    private final MembershipChanges membership;
    private final TrustActions trust;
    private final LastError lastError;

    ClusterRoutes(MembershipChanges membership, TrustActions trust, LastError lastError) {
        this.membership = membership;
        this.trust = trust;
        this.lastError = lastError;
    }

    void register(Javalin app) {
        app.post("/v1/cluster/invites", this::invite);
        app.post("/v1/cluster/members", this::addMember);
        app.delete("/v1/cluster/members/{id}", this::removeMember);
        app.post("/v1/cluster/leader", this::transferLeader);
    }

    private void addMember(Context ctx) throws IOException {
        JsonNode body = jsonBody(ctx);
        String id = requiredText(body, "id", MEMBER_ID);
        String address = requiredText(body, "address", HOST_PORT);
        try {
            change("giving " + id + " its certificate", "membership change failed", () -> trust.certify(id, address));
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new ApiError(409, "cannot add", e.getMessage());
        }
        change("adding member " + id, "membership change failed", () -> membership.addMember(id, address));
        ctx.json(Map.of("status", "added", "id", id, "address", address, "role", "voter"));
    }

    /**
     * A one-time invite token, answered once and kept nowhere (the cluster holds its hash).
     * Body: {@code {"expiresSeconds": 3600, "learner": false}}, both optional.
     */
    private void invite(Context ctx) throws IOException {
        JsonNode body = jsonBody(ctx);
        JsonNode expires = body.get("expiresSeconds");
        long seconds = DEFAULT_INVITE_SECONDS;
        if (expires != null) {
            if (!expires.canConvertToLong() || expires.asLong() < 1) throw new ApiError(400, "bad request", "'expiresSeconds' must be a positive integer");
            seconds = expires.asLong();
        }
        JsonNode learnerField = body.get("learner");
        if (learnerField != null && !learnerField.isBoolean()) throw new ApiError(400, "bad request", "'learner' must be true or false");
        boolean learner = learnerField != null && learnerField.asBoolean();
        String token;
        try {
            token = trust.invite(java.time.Duration.ofSeconds(seconds), learner);
        } catch (IllegalArgumentException e) {
            throw new ApiError(400, "bad request", e.getMessage());
        } catch (IllegalStateException e) {
            throw new ApiError(409, "cannot invite", e.getMessage());
        } catch (IOException e) {
            lastError.set("making an invite: " + e.getMessage());
            throw new ApiError(503, "invite failed", e.getMessage());
        }
        ctx.header("Cache-Control", "no-store");
        ctx.json(Map.of("token", token, "expiresSeconds", seconds, "role", learner ? "learner" : "voter"));
    }

    /** Removes the member, then revokes its certificates so it cannot connect again. */
    private void removeMember(Context ctx) {
        String id = ctx.pathParam("id");
        if (!MEMBER_ID.matcher(id).matches()) throw new ApiError(400, "bad request", "invalid member id: " + id);
        change("removing member " + id, "membership change failed", () -> membership.removeMember(id));
        change("revoking the certificates of " + id, "revocation failed", () -> trust.revoke(id));
        ctx.json(Map.of("status", "removed", "id", id));
    }

    private void transferLeader(Context ctx) throws IOException {
        String id = requiredText(jsonBody(ctx), "id", MEMBER_ID);
        change("transferring leadership to " + id, "leadership transfer failed",
                () -> membership.transferLeadership(id, 10_000));
        ctx.json(Map.of("status", "transferred", "leader", id));
    }

    /** A change to the cluster, which may fail with an {@link IOException}. */
    private interface Change {
        void make() throws IOException;
    }

    /**
     * Makes {@code change}: naming no member is a 404; any other failure is this node's last error
     * (so the status page shows it) and a 503 answered as {@code failure}.
     */
    private void change(String doing, String failure, Change change) {
        try {
            change.make();
        } catch (UnknownMemberException e) {
            throw new ApiError(404, "not found", e.getMessage());
        } catch (IOException e) {
            lastError.set(doing + ": " + e.getMessage());
            throw new ApiError(503, failure, e.getMessage());
        }
    }

    private static JsonNode jsonBody(Context ctx) throws IOException {
        return JsonBody.read(ctx, MAX_JSON);
    }

    private static String requiredText(JsonNode body, String field, Pattern shape) {
        JsonNode v = body.get(field);
        if (v == null || !v.isTextual()) throw new ApiError(400, "bad request", "'" + field + "' (a string) is required");
        if (!shape.matcher(v.asText()).matches()) throw new ApiError(400, "bad request", "invalid " + field + ": " + v.asText());
        return v.asText();
    }
}
