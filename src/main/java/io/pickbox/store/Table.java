package io.pickbox.store;

import org.rocksdb.ColumnFamilyHandle;

/** A named map of byte keys to byte values, keys in unsigned lexicographic order (UTF-8 paths sort by code point). */
public final class Table {
    private final String name;
    final ColumnFamilyHandle handle;

    Table(String name, ColumnFamilyHandle handle) {
        this.name = name;
        this.handle = handle;
    }

    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return "table " + name;
    }
}
