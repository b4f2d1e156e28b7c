package dev.wharf.config;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads an upstream's {@code tls} mapping ({@code caFile}, {@code certFile}, {@code keyFile},
 * {@code insecureSkipVerify}, {@code certsDir}). Files and folders must exist and be readable now; their content is
 * read when Wharf builds the upstream's client.
 */
final class TlsReader {
    private static final Set<String> KEYS = Set.of("caFile", "certFile", "keyFile", "insecureSkipVerify", "certsDir");
    private static final String EXPECTED = "a mapping with caFile, certFile, keyFile, insecureSkipVerify, certsDir";

    static final Pattern CERTIFICATE = Pattern.compile("-----BEGIN CERTIFICATE-----");
    static final Pattern PRIVATE_KEY = Pattern.compile("-----BEGIN (?:RSA |EC )?PRIVATE KEY-----");
    private static final long PEM_LIMIT = 1024 * 1024;

    private TlsReader() {}

    /** The TLS settings of upstream {@code m} reached at {@code url}; the defaults when absent or after reporting. */
    static UpstreamTls read(YamlMapping m, Optional<URI> url) {
        Optional<YamlMapping> opened =
                m.node("tls").flatMap(node -> YamlMapping.open(node, m.pathOf("tls"), EXPECTED, m.context(), KEYS));
        if (opened.isEmpty()) {
            return UpstreamTls.DEFAULT;
        }
        YamlMapping t = opened.get();
        if (url.isPresent() && !url.get().getScheme().equals("https")) {
            m.context().problems().add(m.pathOf("tls"), "set for an http url", "an https url with tls");
        }
        Optional<Path> ca = file(t, "caFile", "a readable PEM file of CA certificates", CERTIFICATE);
        Optional<Path> cert = file(t, "certFile", "a readable PEM file with the client certificate", CERTIFICATE);
        Optional<Path> key = file(t, "keyFile", "a readable PEM file with the client's private key", PRIVATE_KEY);
        if (t.has("certFile") != t.has("keyFile")) {
            String set = t.has("certFile") ? "certFile" : "keyFile";
            String other = t.has("certFile") ? "keyFile" : "certFile";
            m.context().problems().add(t.pathOf(set), "set without " + other, "certFile and keyFile together");
        }
        boolean insecure = t.parsed("insecureSkipVerify", PolicyReader.BOOLEAN_EXPECTED, PolicyReader::parseBoolean)
                .orElse(false);
        Optional<Path> certsDir = t.text("certsDir", "a readable folder in Docker's certs.d layout")
                .flatMap(dir -> folder(t, dir));
        if (cert.isPresent() != key.isPresent()) {
            return UpstreamTls.DEFAULT;
        }
        return new UpstreamTls(ca, cert, key, insecure, certsDir);
    }

    static Optional<Path> file(YamlMapping t, String key, String expected, Pattern block) {
        return t.text(key, expected).flatMap(text -> {
            Path resolved = resolve(t, text);
            String shown = Problems.quote(resolved.toString());
            if (!Files.exists(resolved)) {
                t.context().problems().add(t.pathOf(key), shown + " does not exist", expected);
            } else if (!Files.isRegularFile(resolved) || !Files.isReadable(resolved)) {
                t.context().problems().add(t.pathOf(key), "cannot read " + shown, expected);
            } else {
                return checkBlock(t, key, expected, block, resolved);
            }
            return Optional.empty();
        });
    }

    /** Only the block markers are checked here: certificates and keys are parsed when the upstream's client is made. */
    private static Optional<Path> checkBlock(YamlMapping t, String key, String expected, Pattern block, Path file) {
        String shown = Problems.quote(file.toString());
        String text;
        try {
            if (Files.size(file) > PEM_LIMIT) {
                t.context().problems().add(t.pathOf(key), shown + " is larger than 1 MiB", expected);
                return Optional.empty();
            }
            text = Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            t.context().problems().add(t.pathOf(key), "cannot read " + shown, expected);
            return Optional.empty();
        }
        if (text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") || text.contains("Proc-Type: 4,ENCRYPTED")) {
            t.context().problems().add(t.pathOf(key), shown + " holds an encrypted key", "an unencrypted key");
            return Optional.empty();
        }
        if (!block.matcher(text).find()) {
            t.context().problems().add(t.pathOf(key), shown + " has no " + describe(block) + " block", expected);
            return Optional.empty();
        }
        return Optional.of(file);
    }

    private static String describe(Pattern block) {
        return block == CERTIFICATE ? "CERTIFICATE" : "PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY";
    }

    private static Optional<Path> folder(YamlMapping t, String text) {
        Path resolved = resolve(t, text);
        if (!Files.isDirectory(resolved) || !Files.isReadable(resolved)) {
            t.context()
                    .problems()
                    .add(
                            t.pathOf("certsDir"),
                            Problems.quote(resolved.toString()) + " is not a readable folder",
                            "a folder holding <host>/ or <host:port>/ folders, as /etc/docker/certs.d does");
            return Optional.empty();
        }
        return Optional.of(resolved);
    }

    private static Path resolve(YamlMapping t, String text) {
        return t.context().baseDir().resolve(text).toAbsolutePath().normalize();
    }
}
