package io.pickbox.admin;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Refuses bodies larger than a limit instead of filling the disk. */
final class LimitedInputStream extends FilterInputStream {
    private long left;
    private final java.util.function.Supplier<ApiError> tooMuch;

    LimitedInputStream(InputStream in, long limit) {
        this(in, limit, () -> new ApiError(413, "payload too large", "body exceeds the limit"));
    }

    /** @param tooMuch the error thrown once more than {@code limit} bytes are read */
    LimitedInputStream(InputStream in, long limit, java.util.function.Supplier<ApiError> tooMuch) {
        super(in);
        this.left = limit;
        this.tooMuch = tooMuch;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0 && --left < 0) throw tooMuch.get();
        return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        int n = super.read(buf, off, len);
        if (n > 0 && (left -= n) < 0) throw tooMuch.get();
        return n;
    }
}
