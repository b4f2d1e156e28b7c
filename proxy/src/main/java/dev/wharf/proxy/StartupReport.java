package dev.wharf.proxy;

import dev.wharf.config.S3Config;
import dev.wharf.config.Security;
import dev.wharf.config.UpstreamConfig;
import dev.wharf.config.WharfConfig;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What a started Wharf runs with, logged once so that a user sees it at a glance: never a secret. */
final class StartupReport {
    private static final Logger LOG = LoggerFactory.getLogger(StartupReport.class);

    private StartupReport() {}

    static void log(WharfConfig config, InetSocketAddress api, InetSocketAddress admin) {
        LOG.info("wharf {} started: registry API on {}, admin (/metrics, /healthz) on {}", version(), api, admin);
        LOG.info("storage: {}", storage(config));
        LOG.info(
                "upstreams (default {}): {}{}",
                config.defaultUpstream(),
                config.upstreams().stream().map(StartupReport::upstream).collect(Collectors.joining(", ")),
                config.offline() ? "; offline: no upstream is dialled" : "");
        LOG.info("security: {}", security(config.security()));
    }

    /** TLS, client authentication and access rules in one line: which are on, never a file's content. */
    private static String security(Security security) {
        String tls = security.tls()
                .map(t -> "TLS on " + t.listen()
                        + (t.selfSigned()
                                ? " (self-signed)"
                                : " (" + t.certFile().get() + ")")
                        + (t.clientCaFile().isPresent()
                                ? ", client certificates " + (t.clientCertificateRequired() ? "required" : "optional")
                                : ""))
                .orElse("no TLS listener");
        String auth = security.auth()
                .map(a -> "client authentication by "
                        + Stream.of(
                                        a.htpasswd().map(h -> "htpasswd " + h),
                                        Optional.of(a.tokens().size())
                                                .filter(n -> n > 0)
                                                .map(n -> n + (n == 1 ? " bearer token" : " bearer tokens")),
                                        Optional.of("client certificate CN").filter(c -> a.clientCertificates()))
                                .flatMap(Optional::stream)
                                .collect(Collectors.joining(", ")))
                .orElse("no client authentication (anyone who reaches Wharf may pull)");
        return tls + "; " + auth + "; access rules for " + security.access().size() + " upstream(s)";
    }

    /** The version in the jar's manifest, or {@code development} when run from classes. */
    static String version() {
        String v = StartupReport.class.getPackage().getImplementationVersion();
        return v == null ? "development" : v;
    }

    private static String storage(WharfConfig config) {
        String local = config.storage().path().toString();
        return config.storage()
                .s3()
                .map(s3 -> bucket(s3) + " (index and spool in " + local
                        + (s3.diskTier() > 0 ? ", a disk tier of " + s3.diskTier() + " bytes" : "") + ")")
                .orElse("disk at " + local);
    }

    private static String bucket(S3Config s3) {
        return "s3://" + s3.bucket() + "/" + s3.prefix()
                + s3.endpoint().map(e -> " at " + e).orElse("");
    }

    private static String upstream(UpstreamConfig u) {
        return u.name() + " -> " + u.url() + (u.policy().offline() ? " (offline)" : "");
    }
}
