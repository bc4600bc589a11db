package io.pickbox.trust;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;

/**
 * Presents the node's one key and chain, on the server and on the client side, and the new pair from the moment
 * {@link #replace} is called. The alias names the pair's generation: TLS stacks ask for the chain and the key of an
 * alias in two calls, and some cache them by alias, so a renewal between the calls must not mix two pairs.
 */
final class NodeKeyManager extends X509ExtendedKeyManager {

    private static final String ALIAS_PREFIX = "node-";

    private record Pair(long generation, PrivateKey key, X509Certificate[] chain) {

        String alias() {
            return ALIAS_PREFIX + generation;
        }
    }

    private volatile Pair current;
    /** The pair before the current one, for a handshake that chose its alias just before a renewal. */
    private volatile Pair previous;

    NodeKeyManager(PrivateKey key, List<X509Certificate> chain) {
        this.current = new Pair(0, key, chain.toArray(X509Certificate[]::new));
    }

    synchronized void replace(PrivateKey key, List<X509Certificate> chain) {
        Pair old = current;
        previous = old;
        current = new Pair(old.generation + 1, key, chain.toArray(X509Certificate[]::new));
    }

    List<X509Certificate> chain() {
        return List.of(current.chain);
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return aliases(keyType);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return aliases(keyType);
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        return chooseAny(keyTypes);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        return chooseAny(keyTypes);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return choose(keyType);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return choose(keyType);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        Pair pair = pair(alias);
        return pair == null ? null : pair.chain.clone();
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        Pair pair = pair(alias);
        return pair == null ? null : pair.key;
    }

    private String[] aliases(String keyType) {
        String alias = choose(keyType);
        return alias == null ? null : new String[] {alias};
    }

    private String chooseAny(String[] keyTypes) {
        return keyTypes == null ? null : Arrays.stream(keyTypes).map(this::choose).filter(a -> a != null).findFirst().orElse(null);
    }

    /** The current alias if the key is of the type asked for ("EC", or "EC_EC" style names of older TLS versions). */
    private String choose(String keyType) {
        Pair pair = current;
        String algorithm = pair.key.getAlgorithm();
        boolean fits = keyType == null || keyType.equals(algorithm) || keyType.startsWith(algorithm + "_");
        return fits ? pair.alias() : null;
    }

    private Pair pair(String alias) {
        for (Pair pair : new Pair[] {current, previous}) {
            if (pair != null && pair.alias().equals(alias)) {
                return pair;
            }
        }
        return null;
    }
}
