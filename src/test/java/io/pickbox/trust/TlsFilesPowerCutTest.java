package io.pickbox.trust;

import static org.assertj.core.api.Assertions.assertThat;

import io.pickbox.os.Durability;
import io.pickbox.os.PowerCut;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

class TlsFilesPowerCutTest {

    private final ClusterCa ca = ClusterCa.create(ClusterIds.newClusterId());
    private final TestPki.Member member = TestPki.member(ca, "n1", "127.0.0.1");

    @AfterEach
    void realDurability() {
        Durability.use(Durability.REAL);
    }

    /**
     * A node's first keys, written into a state directory made for them, through a power cut at
     * every sync point: the identity is whole or absent (the node then enrolls again), and whole
     * once written.
     */
    @Test
    void aPowerCutWhileTheFirstKeysAreWrittenLeavesThemWholeOrAbsent(@TempDir Path dir) throws Exception {
        for (int n = 1; ; n++) {
            Path root = Files.createDirectories(dir.resolve("run" + n));
            Path state = root.resolve("state");
            PowerCut cut = PowerCut.over(root, p -> false).cutAt(n);
            boolean written = false;
            try {
                TlsFiles.in(state).write(member.keys().getPrivate(), member.chain(), ca.certificate(), ca.keyPem());
                written = true;
            } catch (PowerCut.Cut expected) {
                // off
            }
            boolean wasCut = cut.cut();
            cut.restore();
            TlsFiles files = TlsFiles.in(state);
            if (written) assertThat(files.exists()).as("cut at point %d after the keys were written", n).isTrue();
            if (files.exists()) {
                files.recover();
                assertThat(Pem.readPrivateKey(Files.readString(files.nodeKey()))).isEqualTo(member.keys().getPrivate());
                assertThat(Pem.readCertificates(Files.readString(files.nodeCert()))).containsExactly(member.certificate(), ca.certificate());
                assertThat(Pem.readCertificates(Files.readString(files.caCert()))).containsExactly(ca.certificate());
            }
            if (!wasCut) break;
        }
    }
}
