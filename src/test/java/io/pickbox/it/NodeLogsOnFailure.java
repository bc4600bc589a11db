package io.pickbox.it;

import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Prints the node logs of the watched cluster when a test fails (runs before the cluster's folder,
 * kept on failure, would be inspected by hand).
 */
final class NodeLogsOnFailure implements AfterTestExecutionCallback {

    private NamespaceCluster cluster;

    /** Returns {@code c}, whose logs a failure of the running test prints. */
    NamespaceCluster watch(NamespaceCluster c) {
        this.cluster = c;
        return c;
    }

    @Override
    public void afterTestExecution(ExtensionContext context) {
        if (cluster != null && context.getExecutionException().isPresent()) {
            System.err.println("===== " + context.getDisplayName() + " failed; node logs of " + cluster);
            cluster.printLogs(System.err);
        }
        cluster = null;
    }
}
