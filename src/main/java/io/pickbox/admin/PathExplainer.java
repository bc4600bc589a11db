package io.pickbox.admin;

import io.pickbox.sync.PathReport;

/** Whether one path is in sync on this node, and why not when it is not ({@code pickbox why}). */
@FunctionalInterface
public interface PathExplainer {

    PathReport explain(String path);
}
