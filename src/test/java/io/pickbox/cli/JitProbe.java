package io.pickbox.cli;

import io.pickbox.node.JitPlan;

import java.security.MessageDigest;

/** Run in a JVM started with the nodes' options (JvmOptionsTest): a hot method and SHA-256, under JitPlan. */
public final class JitProbe {

    private JitProbe() {}

    static int work(int x) {
        return (x & 1) == 0 ? x * 31 + 7 : (x ^ 0x5bd1e995) >>> 3;
    }

    public static void main(String[] args) throws Exception {
        JitPlan.apply();
        long sum = 0;
        for (int i = 0; i < 5_000_000; i++) sum += work(i);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] data = new byte[4096];
        for (int i = 0; i < 5_000; i++) {
            data[0] = (byte) i;
            sha.update(data);
        }
        System.out.println("probe done " + sum + " " + sha.digest()[0]);
    }
}
