package io.pickbox.trust;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TlsFilesTest {

    private final ClusterCa ca = ClusterCa.create(ClusterIds.newClusterId());
    private final TestPki.Member member = TestPki.member(ca, "n1", "127.0.0.1");

    @Test
    void writesEveryFileOwnerOnlyInAnOwnerOnlyDirectory(@TempDir Path state) throws Exception {
        TlsFiles files = TlsFiles.in(state);
        assertThat(files.exists()).isFalse();

        files.write(member.keys().getPrivate(), member.chain(), ca.certificate(), ca.keyPem());

        assertThat(files.dir()).isEqualTo(state.resolve("tls"));
        assertThat(files.exists()).isTrue();
        assertThat(Files.getPosixFilePermissions(files.dir())).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        for (Path file : List.of(files.caCert(), files.caKey(), files.nodeCert(), files.nodeKey())) {
            assertThat(Files.getPosixFilePermissions(file)).as(file.toString()).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        }
        assertThat(Pem.readCertificates(Files.readString(files.nodeCert()))).containsExactly(member.certificate(), ca.certificate());
        assertThat(Pem.readPrivateKey(Files.readString(files.nodeKey()))).isEqualTo(member.keys().getPrivate());
        assertThat(Files.readString(files.nodeKey())).startsWith("-----BEGIN PRIVATE KEY-----");
        try (var listing = Files.list(files.dir())) {
            assertThat(listing.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("ca.pem", "ca.key", "node.pem", "node.key");
        }
    }

    @Test
    void aLearnerHasNoCaKey(@TempDir Path state) throws Exception {
        TlsFiles files = TlsFiles.in(state);

        files.write(member.keys().getPrivate(), member.chain(), ca.certificate(), null);

        assertThat(files.exists()).isTrue();
        assertThat(Files.exists(files.caKey())).isFalse();
    }

    @Test
    void aWorldReadableDirectoryIsMadeOwnerOnly(@TempDir Path state) throws Exception {
        TlsFiles files = TlsFiles.in(state);
        Files.createDirectories(files.dir(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));

        files.write(member.keys().getPrivate(), member.chain(), ca.certificate(), null);

        assertThat(Files.getPosixFilePermissions(files.dir())).isEqualTo(PosixFilePermissions.fromString("rwx------"));
    }

    @Test
    void aRenewalCutOffAfterBothHalvesWereWrittenIsCompleted(@TempDir Path state) throws Exception {
        TlsFiles files = TlsFiles.in(state);
        files.write(member.keys().getPrivate(), member.chain(), ca.certificate(), null);
        TestPki.Member renewed = TestPki.member(ca, "n1", "127.0.0.1");
        // The state a crash leaves after the key, but before the certificate, was moved into place.
        TlsFiles.writeAtomically(files.nodeKey(), Pem.privateKey(renewed.keys().getPrivate()));
        TlsFiles.writeAtomically(files.dir().resolve("node.pem.new"), Pem.certificates(renewed.chain()));

        files.recover();

        assertThat(Pem.readPrivateKey(Files.readString(files.nodeKey()))).isEqualTo(renewed.keys().getPrivate());
        assertThat(Pem.readCertificates(Files.readString(files.nodeCert())).get(0)).isEqualTo(renewed.certificate());
        assertThat(Files.exists(files.dir().resolve("node.pem.new"))).isFalse();
    }

    @Test
    void aRenewalCutOffBeforeItsCertificateWasWrittenIsDropped(@TempDir Path state) throws Exception {
        TlsFiles files = TlsFiles.in(state);
        files.write(member.keys().getPrivate(), member.chain(), ca.certificate(), null);
        TestPki.Member renewed = TestPki.member(ca, "n1", "127.0.0.1");
        TlsFiles.writeAtomically(files.dir().resolve("node.key.new"), Pem.privateKey(renewed.keys().getPrivate()));
        Files.writeString(files.dir().resolve(".node.pem.1234.tmp"), "half a certif");

        files.recover();

        assertThat(Pem.readPrivateKey(Files.readString(files.nodeKey()))).isEqualTo(member.keys().getPrivate());
        try (var listing = Files.list(files.dir())) {
            assertThat(listing.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("ca.pem", "node.pem", "node.key");
        }
    }
}
