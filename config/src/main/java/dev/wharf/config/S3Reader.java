package dev.wharf.config;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads {@code storage.s3}, reporting every problem with its path. */
final class S3Reader {
    static final String EXPECTED = "a mapping with bucket and optional prefix, region, endpoint, credentials";
    private static final Set<String> KEYS = Set.of(
            "bucket",
            "prefix",
            "region",
            "endpoint",
            "pathStyle",
            "accessKeyId",
            "secretAccessKey",
            "secretAccessKeyFile",
            "redirect",
            "redirectTtl",
            "diskTier");
    private static final String BUCKET_EXPECTED = "bucket name: 3-63 lowercase letters, digits, dots and hyphens";
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final String PREFIX_EXPECTED = "key prefix like prod/ (no leading slash, no ..)";
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9!_.*'()/-]{0,512}");
    private static final String REGION_EXPECTED = "region like us-east-1";
    private static final Pattern REGION = Pattern.compile("[a-z0-9-]{1,64}");
    private static final String ENDPOINT_EXPECTED = HttpEndpoints.EXPECTED;
    private static final String BOOLEAN_EXPECTED = "true or false";

    private final YamlMapping m;
    private final ReadContext context;
    private final Problems problems;

    private S3Reader(YamlMapping m, ReadContext context) {
        this.m = m;
        this.context = context;
        this.problems = context.problems();
    }

    /** The bucket {@code node} (at {@code path}) describes; empty after reporting its problems. */
    static Optional<S3Config> read(YamlMapping storage, ReadContext context) {
        return storage.node("s3")
                .flatMap(node -> YamlMapping.open(node, storage.path() + ".s3", EXPECTED, context, KEYS))
                .flatMap(m -> new S3Reader(m, context).read());
    }

    private Optional<S3Config> read() {
        int before = problems.size();
        String bucket = m.requiredText("bucket", BUCKET_EXPECTED).orElse("");
        if (!bucket.isEmpty() && !BUCKET.matcher(bucket).matches()) {
            problems.invalid(m.path() + ".bucket", bucket, BUCKET_EXPECTED);
        }
        String prefix = m.text("prefix", PREFIX_EXPECTED).map(this::prefix).orElse("");
        Optional<String> region = m.text("region", REGION_EXPECTED);
        region.filter(r -> !REGION.matcher(r).matches())
                .ifPresent(r -> problems.invalid(m.path() + ".region", r, REGION_EXPECTED));
        Optional<URI> endpoint = m.text("endpoint", ENDPOINT_EXPECTED).flatMap(this::endpoint);
        boolean pathStyle = m.parsed("pathStyle", BOOLEAN_EXPECTED, PolicyReader::parseBoolean)
                .orElse(false);
        boolean redirect = m.parsed("redirect", BOOLEAN_EXPECTED, PolicyReader::parseBoolean)
                .orElse(false);
        Duration redirectTtl = m.parsed("redirectTtl", "duration from 1s to 7d", S3Reader::presignLifetime)
                .orElse(Defaults.S3_REDIRECT_TTL);
        long diskTier =
                m.parsed("diskTier", ByteSizes.EXPECTED, ByteSizes::parse).orElse(0L);
        Optional<String> accessKeyId = m.text("accessKeyId", "access key id");
        Optional<String> secret = m.text("secretAccessKey", "secret access key");
        Optional<Path> secretFile =
                m.text("secretAccessKeyFile", "readable file path").flatMap(this::secretFile);
        checkCredentials(accessKeyId.isPresent(), m.has("secretAccessKey"), m.has("secretAccessKeyFile"));
        if (problems.size() > before) {
            return Optional.empty();
        }
        return Optional.of(new S3Config(
                bucket,
                prefix,
                region,
                endpoint,
                pathStyle,
                accessKeyId,
                secret,
                secretFile,
                redirect,
                redirectTtl,
                diskTier));
    }

    private String prefix(String text) {
        if (!PREFIX.matcher(text).matches()
                || text.startsWith("/")
                || text.contains("//")
                || ("/" + text + "/").contains("/../")
                || ("/" + text + "/").contains("/./")) {
            problems.invalid(m.path() + ".prefix", text, PREFIX_EXPECTED);
            return "";
        }
        return text.isEmpty() || text.endsWith("/") ? text : text + "/";
    }

    private Optional<URI> endpoint(String text) {
        Optional<URI> uri = HttpEndpoints.parse(text);
        if (uri.isEmpty()) {
            // The text may carry credentials: name the key, not the value.
            problems.add(m.path() + ".endpoint", "not a usable URL", ENDPOINT_EXPECTED);
        }
        return uri;
    }

    private Optional<Path> secretFile(String text) {
        String path = m.path() + ".secretAccessKeyFile";
        Path file;
        try {
            file = context.baseDir().resolve(text).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            problems.invalid(path, text, "readable file path");
            return Optional.empty();
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            problems.invalid(path, text, "a readable file");
            return Optional.empty();
        }
        return Optional.of(file);
    }

    private void checkCredentials(boolean keyId, boolean secret, boolean secretFile) {
        if (secret && secretFile) {
            problems.add(m.path(), "both secretAccessKey and secretAccessKeyFile", "one of them");
        } else if (keyId && !secret && !secretFile) {
            problems.add(m.path() + ".accessKeyId", "without a secret", "secretAccessKey or secretAccessKeyFile");
        } else if (!keyId && (secret || secretFile)) {
            problems.add(m.path(), "a secret without accessKeyId", "accessKeyId with its secret");
        }
    }

    private static Duration presignLifetime(String text) {
        Duration d = Durations.parse(text);
        if (d.compareTo(Duration.ofSeconds(1)) < 0 || d.compareTo(Duration.ofDays(7)) > 0) {
            throw new IllegalArgumentException("out of range");
        }
        return d;
    }
}
