package dev.wharf.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * How Wharf makes TLS connections to one upstream. {@code caFile} adds CAs (PEM) to the system's trust;
 * {@code certFile} and {@code keyFile} (PEM, PKCS#8, PKCS#1 or SEC1 EC) are a client certificate for mutual TLS;
 * {@code certsDir} is a Docker {@code certs.d} folder whose {@code <host:port>/} or {@code <host>/} sub-folder adds
 * {@code *.crt} CAs and a {@code client.cert}/{@code client.key} pair; {@code insecureSkipVerify} accepts any server
 * certificate for any host. Paths are absolute.
 */
public record UpstreamTls(
        Optional<Path> caFile,
        Optional<Path> certFile,
        Optional<Path> keyFile,
        boolean insecureSkipVerify,
        Optional<Path> certsDir) {
    /** The JDK's defaults: system trust, no client certificate. */
    public static final UpstreamTls DEFAULT =
            new UpstreamTls(Optional.empty(), Optional.empty(), Optional.empty(), false, Optional.empty());

    public UpstreamTls {
        Objects.requireNonNull(caFile, "caFile");
        Objects.requireNonNull(certFile, "certFile");
        Objects.requireNonNull(keyFile, "keyFile");
        Objects.requireNonNull(certsDir, "certsDir");
        if (certFile.isPresent() != keyFile.isPresent()) {
            throw new IllegalArgumentException("certFile and keyFile go together");
        }
    }

    /** True when nothing differs from the JDK's defaults. */
    public boolean isDefault() {
        return equals(DEFAULT);
    }
}
