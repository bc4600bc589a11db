package io.pickbox.trust;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An invite: a one-time secret to join the cluster, with what the joining node needs to recognise the cluster before it
 * trusts anything (its id and its CA's fingerprint). The cluster keeps only {@link #secretHash()}.
 * <p>
 * Text form: {@code pbx1-} and the unpadded base64url of cluster id (16 bytes), CA fingerprint (32), secret (32) and the
 * first 4 bytes of the SHA-256 of those 80, which catches a mistyped or truncated token before it is sent anywhere.
 */
public record InviteToken(String clusterId, String caFingerprint, byte[] secret) {

    public static final String PREFIX = "pbx1-";
    private static final int ID_BYTES = 16;
    private static final int FINGERPRINT_BYTES = 32;
    private static final int SECRET_BYTES = 32;
    private static final int CHECKSUM_BYTES = 4;
    private static final int PAYLOAD_BYTES = ID_BYTES + FINGERPRINT_BYTES + SECRET_BYTES;
    private static final int TEXT_LENGTH = (PAYLOAD_BYTES + CHECKSUM_BYTES) / 3 * 4;
    private static final Pattern FINGERPRINT = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern BASE64URL = Pattern.compile("[A-Za-z0-9_-]*");
    private static final SecureRandom RANDOM = new SecureRandom();

    public InviteToken {
        ClusterIds.requireValid(clusterId);
        if (caFingerprint == null || !FINGERPRINT.matcher(caFingerprint).matches()) {
            throw new IllegalArgumentException("not a CA fingerprint (64 lowercase hex characters): " + caFingerprint);
        }
        if (secret == null || secret.length != SECRET_BYTES) {
            throw new IllegalArgumentException("an invite secret has " + SECRET_BYTES + " bytes");
        }
        secret = secret.clone();
    }

    /** A new invite with a fresh 32-byte secret. */
    public static InviteToken create(String clusterId, String caFingerprint) {
        byte[] secret = new byte[SECRET_BYTES];
        RANDOM.nextBytes(secret);
        return new InviteToken(clusterId, caFingerprint, secret);
    }

    /** A copy: the token's own secret cannot be changed through it. */
    @Override
    public byte[] secret() {
        return secret.clone();
    }

    public String encode() {
        byte[] payload = ByteBuffer.allocate(PAYLOAD_BYTES)
                .put(HexFormat.of().parseHex(clusterId))
                .put(HexFormat.of().parseHex(caFingerprint))
                .put(secret)
                .array();
        byte[] all = Arrays.copyOf(payload, PAYLOAD_BYTES + CHECKSUM_BYTES);
        System.arraycopy(checksum(payload), 0, all, PAYLOAD_BYTES, CHECKSUM_BYTES);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(all);
    }

    /** Reads a token as {@link #encode()} writes it, whitespace around it ignored; the message says what is wrong. */
    public static InviteToken parse(String text) throws InvalidTokenException {
        String token = text == null ? "" : text.strip();
        if (token.isEmpty()) {
            throw new InvalidTokenException("no invite token given");
        }
        if (!token.startsWith(PREFIX)) {
            throw new InvalidTokenException("not a Pickbox invite token (it starts with " + PREFIX + ")");
        }
        String body = token.substring(PREFIX.length());
        if (!BASE64URL.matcher(body).matches()) {
            throw new InvalidTokenException("the token is mistyped (it contains characters no token has: only letters, digits,"
                    + " '-' and '_')");
        }
        if (body.length() < TEXT_LENGTH) {
            throw new InvalidTokenException("the token is truncated (" + body.length() + " of " + TEXT_LENGTH
                    + " characters after " + PREFIX + ")");
        }
        if (body.length() > TEXT_LENGTH) {
            throw new InvalidTokenException("the token is too long (" + body.length() + " characters after " + PREFIX
                    + ", expected " + TEXT_LENGTH + ")");
        }
        byte[] all = Base64.getUrlDecoder().decode(body);
        byte[] payload = Arrays.copyOf(all, PAYLOAD_BYTES);
        if (!MessageDigest.isEqual(checksum(payload), Arrays.copyOfRange(all, PAYLOAD_BYTES, all.length))) {
            throw new InvalidTokenException("the token is mistyped or truncated (checksum mismatch)");
        }
        HexFormat hex = HexFormat.of();
        return new InviteToken(hex.formatHex(payload, 0, ID_BYTES),
                hex.formatHex(payload, ID_BYTES, ID_BYTES + FINGERPRINT_BYTES),
                Arrays.copyOfRange(payload, ID_BYTES + FINGERPRINT_BYTES, PAYLOAD_BYTES));
    }

    /** SHA-256 hex of the secret: what the cluster stores, and compares a presented secret's hash to. */
    public String secretHash() {
        return hashSecret(secret);
    }

    public static String hashSecret(byte[] secret) {
        return X509.sha256Hex(secret);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof InviteToken token && clusterId.equals(token.clusterId) && caFingerprint.equals(token.caFingerprint)
                && MessageDigest.isEqual(secret, token.secret);
    }

    @Override
    public int hashCode() {
        return Objects.hash(clusterId, caFingerprint);
    }

    /** Never shows the secret: tokens end up in logs through toString. */
    @Override
    public String toString() {
        return "InviteToken[clusterId=" + clusterId + ", caFingerprint=" + caFingerprint + ", secret=(hidden)]";
    }

    private static byte[] checksum(byte[] payload) {
        return Arrays.copyOf(X509.sha256(payload), CHECKSUM_BYTES);
    }
}
