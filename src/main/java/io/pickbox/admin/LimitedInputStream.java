package io.pickbox.admin;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Refuses bodies larger than a limit instead of filling the disk. */
final class LimitedInputStream extends FilterInputStream {
    private long left;

    LimitedInputStream(InputStream in, long limit) {
        super(in);
        this.left = limit;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0 && --left < 0) throw new ApiError(413, "payload too large", "body exceeds the limit");
        return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        int n = super.read(buf, off, len);
        if (n > 0 && (left -= n) < 0) throw new ApiError(413, "payload too large", "body exceeds the limit");
        return n;
    }
}
