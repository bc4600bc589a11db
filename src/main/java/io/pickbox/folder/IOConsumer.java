package io.pickbox.folder;

import java.io.IOException;

/** A consumer that may throw IOException, e.g. code that writes file content to a stream. */
@FunctionalInterface
public interface IOConsumer<T> {
    void accept(T t) throws IOException;
}
