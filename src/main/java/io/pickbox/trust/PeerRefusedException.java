package io.pickbox.trust;

import java.security.cert.CertificateException;

/** A peer's certificate was refused; the message is the one line a log should print. */
public final class PeerRefusedException extends CertificateException {

    private static final long serialVersionUID = 1L;

    public PeerRefusedException(String reason) {
        super(reason);
    }
}
