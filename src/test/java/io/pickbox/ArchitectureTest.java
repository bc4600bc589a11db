package io.pickbox;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The dependency rule of the code map: data flows one way, so a package may use the packages
 * below it and never one above it. Breaking it fails the build, naming the offending access.
 */
class ArchitectureTest {

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("io.pickbox");

    @Test
    void packagesFormNoCycles() {
        slices().matching("io.pickbox.(*)..").should().beFreeOfCycles().check(MAIN);
    }

    @Test
    void dependenciesPointDown() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("cli").definedBy("io.pickbox.cli..")
                .layer("node").definedBy("io.pickbox.node..")
                .layer("admin").definedBy("io.pickbox.admin..")
                .layer("sync").definedBy("io.pickbox.sync..")
                .layer("raft").definedBy("io.pickbox.raft..")
                .layer("index").definedBy("io.pickbox.index..")
                .layer("store").definedBy("io.pickbox.store..")
                .layer("transfer").definedBy("io.pickbox.transfer..")
                .layer("trust").definedBy("io.pickbox.trust..")
                .layer("folder").definedBy("io.pickbox.folder..")
                .layer("watch").definedBy("io.pickbox.watch..")
                .layer("os").definedBy("io.pickbox.os..")
                .whereLayer("cli").mayNotBeAccessedByAnyLayer()
                .whereLayer("node").mayOnlyBeAccessedByLayers("cli")
                .whereLayer("admin").mayOnlyBeAccessedByLayers("cli", "node")
            // sync reaches Raft only through its Proposer seam; the node wires the two together.
                .whereLayer("sync").mayOnlyBeAccessedByLayers("cli", "node", "admin")
                .whereLayer("raft").mayOnlyBeAccessedByLayers("cli", "node", "admin")
                .whereLayer("index").mayOnlyBeAccessedByLayers("cli", "node", "admin", "sync", "raft")
                .whereLayer("store").mayOnlyBeAccessedByLayers("cli", "node", "admin", "sync", "raft", "index", "transfer")
                .whereLayer("transfer").mayOnlyBeAccessedByLayers("cli", "node", "admin", "sync", "raft")
                .whereLayer("trust").mayOnlyBeAccessedByLayers("cli", "node", "admin", "sync", "raft", "transfer")
                .whereLayer("folder").mayOnlyBeAccessedByLayers("cli", "node", "admin", "sync", "raft", "index", "transfer", "watch")
                .whereLayer("watch").mayOnlyBeAccessedByLayers("cli", "node", "admin", "sync")
                .whereLayer("os").mayOnlyBeAccessedByLayers("cli", "node", "admin", "sync", "raft", "index", "store", "transfer", "trust", "folder", "watch")
                .check(MAIN);
    }

    /** The storage engine is the store package's detail: everything else sees its tables, batches and snapshots. */
    @Test
    void onlyTheStoreReadsTheStorageEngine() {
        noClasses().that().resideOutsideOfPackage("io.pickbox.store..")
                .should().dependOnClassesThat().resideInAnyPackage("org.rocksdb..")
                .check(MAIN);
    }

    /** Ratis's protobufs and its server internals are read in the raft package only; the rest sees Pickbox's records. */
    @Test
    void onlyRaftReadsRatisInternals() {
        noClasses().that().resideOutsideOfPackage("io.pickbox.raft..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.ratis.proto..", "org.apache.ratis.server..")
                .check(MAIN);
    }
}
