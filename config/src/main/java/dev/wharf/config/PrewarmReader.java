package dev.wharf.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Reads one entry of {@code prewarm}; the rule is only validated here, nothing runs it. */
final class PrewarmReader {
    private static final String REPOSITORY_EXPECTED = "lowercase repository name like library/nginx";
    private static final String TAGS_EXPECTED =
            "a list of tags or a mapping with semver, include, exclude, prerelease, newest";
    private static final String TAG_EXPECTED = "tag like 1.27 or latest";
    private static final String SEMVER_EXPECTED = "semver range like ~1.27, ^1.2, >=1.2 <2, 1.2.x";
    private static final String PLATFORM_EXPECTED = "platform like linux/amd64 or linux/arm/v7";
    private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*");
    private static final Pattern TAG = Pattern.compile("[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}");
    private static final Pattern PLATFORM = Pattern.compile("[a-z0-9_]+/[a-z0-9_]+(?:/[a-z0-9_.]+)?");
    private static final String VERSION =
            "v?(?:0|[1-9][0-9]*|[xX*])(?:\\.(?:0|[1-9][0-9]*|[xX*])){0,2}(?:-[0-9A-Za-z.-]+)?(?:\\+[0-9A-Za-z.-]+)?";
    private static final Pattern COMPARATOR = Pattern.compile("(?:~|\\^|>=|<=|>|<|=)?" + VERSION);
    private static final Pattern HYPHEN_RANGE = Pattern.compile(VERSION + "\\s+-\\s+" + VERSION);
    private static final Set<String> KEYS = Set.of("upstream", "repository", "tags", "platforms", "every");
    private static final Set<String> SELECTOR_KEYS = Set.of("semver", "include", "exclude", "prerelease", "newest");
    private static final int MAX_NEWEST = 10_000;

    private PrewarmReader() {}

    /** The rule at {@code entry}; empty after reporting when anything in it is wrong. */
    static Optional<PrewarmRule> read(Located<JsonNode> entry, ReadContext context, UpstreamNames names) {
        Problems problems = context.problems();
        int before = problems.size();
        Optional<YamlMapping> opened = YamlMapping.open(
                entry.value(), entry.path(), "a mapping with upstream, repository, tags, every", context, KEYS);
        if (opened.isEmpty()) {
            return Optional.empty();
        }
        YamlMapping m = opened.get();
        Optional<String> upstream = m.requiredText("upstream", UpstreamNames.EXPECTED_REFERENCE)
                .flatMap(reference -> names.resolve(reference, m.pathOf("upstream"), problems));
        Optional<String> repository =
                m.requiredParsed("repository", REPOSITORY_EXPECTED, PrewarmReader::parseRepository);
        Optional<TagSelector> tags = readTags(m);
        List<String> platforms = m.list("platforms", PLATFORM_EXPECTED, text -> matching(PLATFORM, text))
                .map(items -> items.stream().map(Located::value).toList())
                .orElse(List.of());
        Optional<Duration> every = m.requiredParsed("every", Durations.POSITIVE_EXPECTED, Durations::parsePositive);
        // An upstream reference left unresolved for a broken upstream entry was reported there, not here.
        if (problems.size() > before
                || upstream.isEmpty()
                || repository.isEmpty()
                || tags.isEmpty()
                || every.isEmpty()) {
            return Optional.empty();
        }
        String repositoryName = repository.orElseThrow();
        if (upstream.orElseThrow().equals(Defaults.DOCKER_HUB) && repositoryName.indexOf('/') < 0) {
            repositoryName = "library/" + repositoryName;
        }
        return Optional.of(new PrewarmRule(
                upstream.orElseThrow(), repositoryName, tags.orElseThrow(), platforms, every.orElseThrow()));
    }

    private static Optional<TagSelector> readTags(YamlMapping m) {
        Optional<JsonNode> node = m.node("tags");
        String path = m.pathOf("tags");
        Problems problems = m.context().problems();
        if (node.isEmpty()) {
            problems.add(path, "missing", TAGS_EXPECTED);
            return Optional.empty();
        }
        if (node.get().isArray()) {
            List<String> exact = m.list("tags", TAG_EXPECTED, text -> matching(TAG, text)).orElseThrow().stream()
                    .map(Located::value)
                    .toList();
            if (node.get().isEmpty()) {
                problems.add(path, "empty list", TAGS_EXPECTED);
                return Optional.empty();
            }
            return Optional.of(TagSelector.exactly(exact));
        }
        return YamlMapping.open(node.get(), path, TAGS_EXPECTED, m.context(), SELECTOR_KEYS)
                .flatMap(PrewarmReader::readSelector);
    }

    private static Optional<TagSelector> readSelector(YamlMapping m) {
        Problems problems = m.context().problems();
        int before = problems.size();
        Optional<String> semver = m.parsed("semver", SEMVER_EXPECTED, PrewarmReader::parseSemverRange);
        Optional<String> include = readRegex(m, "include");
        Optional<String> exclude = readRegex(m, "exclude");
        boolean prerelease = m.parsed("prerelease", "true or false", PrewarmReader::parseBoolean)
                .orElse(false);
        int newest = m.parsed("newest", "whole number from 0 (no limit) to " + MAX_NEWEST, PrewarmReader::parseNewest)
                .orElse(0);
        if (problems.size() > before) {
            return Optional.empty();
        }
        if (semver.isEmpty() && include.isEmpty() && newest == 0) {
            problems.add(m.path(), "selects every tag", "at least one of semver, include, newest");
            return Optional.empty();
        }
        return Optional.of(new TagSelector(List.of(), semver, include, exclude, prerelease, newest));
    }

    private static Optional<String> readRegex(YamlMapping m, String key) {
        return m.text(key, "regular expression").flatMap(regex -> {
            try {
                Pattern.compile(regex);
                return Optional.of(regex);
            } catch (PatternSyntaxException e) {
                m.context().problems().invalid(m.pathOf(key), regex, "regular expression: " + e.getDescription());
                return Optional.empty();
            }
        });
    }

    static String parseRepository(String text) {
        if (text.isEmpty() || text.length() > 255) {
            throw new IllegalArgumentException("repository name must be 1 to 255 characters");
        }
        for (String component : text.split("/", -1)) {
            matching(COMPONENT, component);
        }
        return text;
    }

    static String parseSemverRange(String text) {
        for (String alternative : text.split("\\|\\|", -1)) {
            String range = alternative.trim();
            if (range.isEmpty()) {
                throw new IllegalArgumentException("empty range");
            }
            if (!HYPHEN_RANGE.matcher(range).matches()) {
                for (String comparator : range.split("\\s+")) {
                    matching(COMPARATOR, comparator);
                }
            }
        }
        return text;
    }

    private static boolean parseBoolean(String text) {
        return switch (text) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("not a boolean");
        };
    }

    private static int parseNewest(String text) {
        if (!text.matches("[0-9]{1,5}") || Integer.parseInt(text) > MAX_NEWEST) {
            throw new IllegalArgumentException("not a count");
        }
        return Integer.parseInt(text);
    }

    private static String matching(Pattern pattern, String text) {
        if (!pattern.matcher(text).matches()) {
            throw new IllegalArgumentException("does not match " + pattern);
        }
        return text;
    }
}
