package dev.wharf.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Walks the top-level mapping, applying defaults and collecting every problem before deciding. */
final class ConfigReader {
    private static final String LISTEN_EXPECTED = "host:port with port 1-65535";
    private static final String ACCESS_LOG_EXPECTED = "stdout, off, or a file path";
    private static final String MATCH_EXPECTED = "\"*\" or \"<repository glob>:<tag glob>\"";
    /** The top-level keys of a configuration. */
    static final Set<String> KEYS = Set.of(
            "listen",
            "adminListen",
            "storage",
            "defaultUpstream",
            "upstreams",
            "publicUpstreams",
            "freshness",
            "maxStale",
            "recheckDeadline",
            "offline",
            "prewarm",
            "prewarmDir",
            "accessLog",
            "tlsListen",
            "tls",
            "auth",
            "access",
            "limits");

    static final String GRACE_EXPECTED = "positive duration up to 7d, like 15m";
    private static final Set<String> STORAGE_KEYS =
            Set.of("path", "s3", "maxSize", "minFree", "evictEvery", "evictGrace");
    private static final Set<String> FRESHNESS_KEYS = Set.of("match", "tagTtl");

    private final ReadContext context;
    private final UpstreamNames names = new UpstreamNames();

    ConfigReader(ReadContext context) {
        this.context = context;
    }

    /** The configuration {@code root} describes; throws {@link ConfigException} with every problem found. */
    WharfConfig read(JsonNode root) {
        Problems problems = context.problems();
        Optional<YamlMapping> opened =
                YamlMapping.open(root, "", "a mapping of settings such as listen, storage, upstreams", context, KEYS);
        if (opened.isEmpty()) {
            throw new ConfigException(problems.list());
        }
        YamlMapping m = opened.get();
        HostPort listen = m.parsed("listen", LISTEN_EXPECTED, HostPort::parse).orElse(Defaults.LISTEN);
        HostPort adminListen =
                m.parsed("adminListen", LISTEN_EXPECTED, HostPort::parse).orElse(Defaults.ADMIN_LISTEN);
        if (listen.equals(adminListen)) {
            problems.invalid("adminListen", adminListen.toString(), "an address other than listen");
        }
        StorageConfig storage = readStorage(m);
        List<UpstreamConfig> upstreams = readUpstreams(m);
        String defaultUpstream = m.text("defaultUpstream", UpstreamNames.EXPECTED_REFERENCE)
                .or(() -> Optional.of(Defaults.DEFAULT_UPSTREAM))
                .flatMap(reference -> names.resolve(reference, "defaultUpstream", problems))
                .orElse(Defaults.DEFAULT_UPSTREAM);
        List<FreshnessRule> freshness = readFreshness(m);
        Duration maxStale =
                m.parsed("maxStale", Durations.EXPECTED, Durations::parse).orElse(Defaults.MAX_STALE);
        Duration recheckDeadline = m.parsed("recheckDeadline", Durations.EXPECTED, Durations::parse)
                .orElse(Defaults.RECHECK_DEADLINE);
        boolean offline = PolicyReader.readOffline(m).orElse(false);
        List<PrewarmRule> prewarm = new ArrayList<>();
        Set<String> prewarmNames = new HashSet<>();
        m.elements("prewarm", "a list of prewarm rules")
                .orElse(List.of())
                .forEach(entry ->
                        PrewarmReader.read(entry, context, names, prewarmNames).ifPresent(prewarm::add));
        Optional<Path> prewarmDir = readPrewarmDir(m);
        AccessLogConfig accessLog = readAccessLog(m);
        Security security = SecurityReader.read(m, listen, adminListen, names);
        ServerLimits limits = LimitsReader.read(m, context);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems.list());
        }
        return new WharfConfig(
                listen,
                adminListen,
                storage,
                defaultUpstream,
                upstreams,
                freshness,
                maxStale,
                recheckDeadline,
                offline,
                prewarm,
                prewarmDir,
                accessLog,
                security,
                limits);
    }

    private StorageConfig readStorage(YamlMapping m) {
        Optional<YamlMapping> storage = m.node("storage")
                .flatMap(node -> YamlMapping.open(
                        node,
                        "storage",
                        "a mapping with path, s3, maxSize, minFree, evictEvery, evictGrace",
                        context,
                        STORAGE_KEYS));
        String path = storage.flatMap(s -> s.text("path", "directory path")).orElse(Defaults.STORAGE_PATH);
        if (path.isBlank()) {
            context.problems().add("storage.path", "empty", "directory path");
        }
        Optional<S3Config> s3 = storage.flatMap(s -> S3Reader.read(s, context));
        EvictionConfig eviction = storage.map(this::readEviction).orElse(EvictionConfig.NONE);
        if (storage.isPresent()
                && storage.get().has("evictGrace")
                && !storage.get().has("s3")) {
            context.problems().add("storage.evictGrace", "without storage.s3", "evictGrace only with storage.s3");
        }
        return new StorageConfig(resolve(path), s3, eviction);
    }

    private EvictionConfig readEviction(YamlMapping storage) {
        long maxSize =
                storage.parsed("maxSize", ByteSizes.EXPECTED, ByteSizes::parse).orElse(0L);
        if (storage.has("maxSize") && maxSize == 0) {
            context.problems().invalid("storage.maxSize", "0", "a size above zero (leave it out for no bound)");
        }
        long minFree =
                storage.parsed("minFree", ByteSizes.EXPECTED, ByteSizes::parse).orElse(0L);
        Duration every = storage.parsed("evictEvery", Durations.POSITIVE_EXPECTED, Durations::parsePositive)
                .orElse(Defaults.EVICTION_CHECK_EVERY);
        Duration grace = storage.parsed("evictGrace", GRACE_EXPECTED, ConfigReader::parseGrace)
                .orElse(Defaults.EVICTION_GRACE);
        return new EvictionConfig(maxSize, minFree, every, grace);
    }

    /** A positive duration of at most 7 days. */
    private static Duration parseGrace(String text) {
        Duration grace = Durations.parsePositive(text);
        if (grace.compareTo(Duration.ofDays(7)) > 0) {
            throw new IllegalArgumentException("grace above 7 days");
        }
        return grace;
    }

    /** {@code stdout}, {@code off} (also YAML's {@code false}), or a file whose directory exists. */
    private AccessLogConfig readAccessLog(YamlMapping m) {
        Optional<String> text = m.text("accessLog", ACCESS_LOG_EXPECTED);
        if (text.isEmpty()) {
            return AccessLogConfig.OFF;
        }
        String value = text.get();
        if (value.equals("stdout")) {
            return AccessLogConfig.STDOUT;
        }
        if (value.equals("off") || value.equals("false")) {
            return AccessLogConfig.OFF;
        }
        if (value.isBlank()) {
            context.problems().add("accessLog", "empty", ACCESS_LOG_EXPECTED);
            return AccessLogConfig.OFF;
        }
        Path file;
        try {
            file = resolve(value);
        } catch (InvalidPathException e) {
            context.problems().invalid("accessLog", value, ACCESS_LOG_EXPECTED);
            return AccessLogConfig.OFF;
        }
        if (Files.isDirectory(file)) {
            context.problems().invalid("accessLog", value, "a file, not a directory");
        } else if (!Files.isDirectory(file.getParent())) {
            context.problems().invalid("accessLog", value, "a file in an existing directory");
        }
        return AccessLogConfig.toFile(file);
    }

    private Optional<Path> readPrewarmDir(YamlMapping m) {
        return m.text("prewarmDir", "directory path").flatMap(text -> {
            Path dir = resolve(text);
            if (!Files.isDirectory(dir)) {
                context.problems().invalid("prewarmDir", text, "an existing directory of *.yaml rule files");
                return Optional.empty();
            }
            return Optional.of(dir);
        });
    }

    /**
     * The configured upstreams, then (unless {@code publicUpstreams: false}) the built-in public registries whose
     * name and aliases no configured upstream claims: configuring {@code docker.io} with credentials replaces the
     * built-in Docker Hub, and adding a private registry keeps the public ones.
     */
    private List<UpstreamConfig> readUpstreams(YamlMapping m) {
        boolean withPublic = m.parsed("publicUpstreams", PolicyReader.BOOLEAN_EXPECTED, PolicyReader::parseBoolean)
                .orElse(true);
        Optional<List<Located<JsonNode>>> entries = m.elements("upstreams", "a list of upstreams");
        if (entries.isEmpty() && m.has("upstreams")) {
            names.markIncomplete();
            return List.of();
        }
        List<UpstreamConfig> upstreams = new ArrayList<>();
        entries.orElse(List.of())
                .forEach(entry -> UpstreamReader.read(entry, context, names).ifPresent(upstreams::add));
        if (withPublic) {
            for (UpstreamConfig builtIn : Defaults.upstreams()) {
                if (names.claimAllUnclaimed(builtIn.name(), builtIn.aliases())) {
                    upstreams.add(builtIn);
                }
            }
        }
        if (upstreams.isEmpty() && entries.map(List::isEmpty).orElse(true)) {
            context.problems()
                    .add(
                            "upstreams",
                            entries.isPresent() ? "empty list" : "missing",
                            "at least one upstream when publicUpstreams is false");
            names.markIncomplete();
        }
        return upstreams;
    }

    private List<FreshnessRule> readFreshness(YamlMapping m) {
        Optional<List<Located<JsonNode>>> entries = m.elements("freshness", "a list of rules with match and tagTtl");
        if (entries.isEmpty()) {
            return Defaults.FRESHNESS;
        }
        List<FreshnessRule> rules = new ArrayList<>();
        for (Located<JsonNode> entry : entries.get()) {
            YamlMapping.open(entry.value(), entry.path(), "a mapping with match and tagTtl", context, FRESHNESS_KEYS)
                    .ifPresent(rule -> {
                        Optional<String> match = rule.requiredParsed("match", MATCH_EXPECTED, ConfigReader::parseMatch);
                        Optional<Duration> ttl = rule.requiredParsed("tagTtl", Durations.EXPECTED, Durations::parse);
                        if (match.isPresent() && ttl.isPresent()) {
                            rules.add(new FreshnessRule(match.get(), ttl.get()));
                        }
                    });
        }
        return rules;
    }

    private static String parseMatch(String text) {
        if (!FreshnessRule.isValidMatch(text)) {
            throw new IllegalArgumentException("invalid match");
        }
        return text;
    }

    private Path resolve(String path) {
        return context.baseDir().resolve(path).toAbsolutePath().normalize();
    }
}
