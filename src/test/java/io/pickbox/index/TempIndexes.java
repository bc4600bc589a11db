package io.pickbox.index;

import java.util.ArrayList;
import java.util.List;

/** Indexes on private temporary stores, closed together after each test or try (each holds native memory). */
final class TempIndexes {
    private static final List<Index> OPEN = new ArrayList<>();

    private TempIndexes() {}

    static synchronized Index open() {
        Index index = new Index();
        OPEN.add(index);
        return index;
    }

    static synchronized void closeAll() {
        OPEN.forEach(Index::close);
        OPEN.clear();
    }
}
