package io.pickbox.admin;

import java.util.LinkedHashMap;
import java.util.Map;

/** Whether one path is in sync on this node, and why not when it is not ({@code pickbox why}). */
@FunctionalInterface
public interface PathExplainer {

    Explanation explain(String path);

    /**
     * @param state        "in sync", "pending" or "blocked"
     * @param why          what keeps it from being in sync; null when it is
     * @param localVersion the version this node's folder holds, null when none
     * @param onDisk       something is at the path on this node's disk
     */
    record Explanation(String state, String why, Long localVersion, boolean onDisk) {

        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("state", state);
            if (why != null) m.put("why", why);
            m.put("localVersion", localVersion);
            m.put("onDisk", onDisk);
            return m;
        }
    }
}
