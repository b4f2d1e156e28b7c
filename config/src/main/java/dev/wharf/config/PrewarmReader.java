package dev.wharf.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Reads one prewarm rule, from the {@code prewarm} list of the configuration or from a rule file. */
final class PrewarmReader {
    static final String RULE_EXPECTED = "a mapping with name, upstream, repository, tags and every, cron or once";
    private static final String NAME_EXPECTED = "name of letters, digits, '.', '_', '-', '/' (at most 128)";
    private static final String REPOSITORY_EXPECTED =
            "lowercase repository name like library/nginx, or a glob like myteam/* ('*' spans '/')";
    private static final String TAGS_EXPECTED =
            "a list of tags or digests, or a mapping with semver, include, exclude, prerelease, newest";
    private static final String TAG_EXPECTED = "tag like 1.27 or latest, or digest like sha256:<64 hex>";
    private static final String SEMVER_EXPECTED = "semver range like ~1.27, ^1.2, >=1.2 <2, 1.2.x";
    private static final String PLATFORM_EXPECTED = "platform like linux/amd64 or linux/arm/v7";
    private static final String SCHEDULE_EXPECTED = "exactly one of every, cron, once";
    private static final String CRON_EXPECTED = "five-field cron expression like \"0 3 * * *\"";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/:-]{0,127}");
    private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*");
    private static final Pattern TAG = Pattern.compile("[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}|sha256:[a-f0-9]{64}");
    private static final Pattern PLATFORM = Pattern.compile("[a-z0-9_]+/[a-z0-9_]+(?:/[a-z0-9_.]+)?");
    private static final Set<String> KEYS =
            Set.of("name", "upstream", "repository", "tags", "platforms", "referrers", "every", "cron", "once");
    private static final Set<String> SELECTOR_KEYS = Set.of("semver", "include", "exclude", "prerelease", "newest");
    private static final int MAX_NEWEST = 10_000;

    private PrewarmReader() {}

    /** The rule at {@code entry}, its name not in {@code taken} (then added); empty after reporting any problem. */
    static Optional<PrewarmRule> read(
            Located<JsonNode> entry, ReadContext context, UpstreamNames names, Set<String> taken) {
        Problems problems = context.problems();
        int before = problems.size();
        Optional<YamlMapping> opened = YamlMapping.open(entry.value(), entry.path(), RULE_EXPECTED, context, KEYS);
        if (opened.isEmpty()) {
            return Optional.empty();
        }
        YamlMapping m = opened.get();
        Optional<String> name = m.parsed("name", NAME_EXPECTED, text -> matching(NAME, text));
        Optional<String> upstream = m.requiredText("upstream", UpstreamNames.EXPECTED_REFERENCE)
                .flatMap(reference -> names.resolve(reference, m.pathOf("upstream"), problems));
        Optional<String> repository =
                m.requiredParsed("repository", REPOSITORY_EXPECTED, PrewarmReader::parseRepository);
        Optional<TagSelector> tags = readTags(m);
        List<String> platforms = m.list("platforms", PLATFORM_EXPECTED, text -> matching(PLATFORM, text))
                .map(items -> items.stream().map(Located::value).toList())
                .orElse(List.of());
        boolean referrers = m.parsed("referrers", "true or false", PrewarmReader::parseBoolean)
                .orElse(false);
        Optional<PrewarmSchedule> schedule = readSchedule(m);
        // An upstream reference left unresolved for a broken upstream entry was reported there, not here.
        if (problems.size() > before
                || upstream.isEmpty()
                || repository.isEmpty()
                || tags.isEmpty()
                || schedule.isEmpty()) {
            return Optional.empty();
        }
        String repositoryName = repository.orElseThrow();
        if (upstream.orElseThrow().equals(Defaults.DOCKER_HUB) && repositoryName.indexOf('/') < 0) {
            repositoryName = "library/" + repositoryName;
        }
        String ruleName = name.orElse(PrewarmRule.defaultName(upstream.orElseThrow(), repositoryName));
        if (!taken.add(ruleName)) {
            problems.invalid(m.pathOf("name"), ruleName, "a name no other prewarm rule has");
            return Optional.empty();
        }
        return Optional.of(new PrewarmRule(
                ruleName,
                upstream.orElseThrow(),
                repositoryName,
                tags.orElseThrow(),
                platforms,
                referrers,
                schedule.orElseThrow()));
    }

    private static Optional<PrewarmSchedule> readSchedule(YamlMapping m) {
        long given = Set.of("every", "cron", "once").stream().filter(m::has).count();
        if (given != 1) {
            m.context()
                    .problems()
                    .add(where(m), given == 0 ? "no schedule" : "more than one schedule", SCHEDULE_EXPECTED);
            return Optional.empty();
        }
        if (m.has("every")) {
            return m.parsed("every", Durations.POSITIVE_EXPECTED, Durations::parsePositive)
                    .map(PrewarmSchedule.Every::new);
        }
        if (m.has("cron")) {
            return m.parsed("cron", CRON_EXPECTED, CronSchedule::parse).map(PrewarmSchedule.Cron::new);
        }
        return m.parsed("once", "true", text -> {
            if (!text.equals("true")) {
                throw new IllegalArgumentException("once must be true");
            }
            return new PrewarmSchedule.Once();
        });
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
        Optional<SemverRange> semver = m.parsed("semver", SEMVER_EXPECTED, SemverRange::parse);
        Optional<Pattern> include = readRegex(m, "include");
        Optional<Pattern> exclude = readRegex(m, "exclude");
        boolean prerelease = m.parsed("prerelease", "true or false", PrewarmReader::parseBoolean)
                .orElse(false);
        int newest = m.parsed("newest", "whole number from 0 (no limit) to " + MAX_NEWEST, PrewarmReader::parseNewest)
                .orElse(0);
        if (problems.size() > before) {
            return Optional.empty();
        }
        if (semver.isEmpty() && include.isEmpty() && newest == 0) {
            problems.add(where(m), "selects every tag", "at least one of semver, include, newest");
            return Optional.empty();
        }
        return Optional.of(new TagSelector(List.of(), semver, include, exclude, prerelease, newest));
    }

    private static Optional<Pattern> readRegex(YamlMapping m, String key) {
        return m.text(key, "regular expression").flatMap(regex -> {
            try {
                return Optional.of(Pattern.compile(regex));
            } catch (PatternSyntaxException e) {
                m.context().problems().invalid(m.pathOf(key), regex, "regular expression: " + e.getDescription());
                return Optional.empty();
            }
        });
    }

    /** The mapping's path for a problem about it as a whole. */
    private static String where(YamlMapping m) {
        return m.path().isEmpty() ? "top level" : m.path();
    }

    static String parseRepository(String text) {
        if (text.isEmpty() || text.length() > 255) {
            throw new IllegalArgumentException("repository name must be 1 to 255 characters");
        }
        for (String component : text.split("/", -1)) {
            // In a glob, each run of '*' or '?' stands for some name characters.
            matching(COMPONENT, component.replaceAll("[*?]+", "a"));
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
