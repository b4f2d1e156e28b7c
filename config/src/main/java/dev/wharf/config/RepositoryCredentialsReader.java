package dev.wharf.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads an upstream's {@code repositoryCredentials}: a list of entries, each {@code repositories} (a list of globs)
 * with one credential source in the keys an upstream takes, or none for anonymous access. The first entry matching a
 * repository decides; repositories no entry matches use the upstream's own source.
 */
final class RepositoryCredentialsReader {
    static final String KEY = "repositoryCredentials";
    private static final String EXPECTED = "a list of mappings, each with repositories and a credential source";
    private static final String ENTRY_EXPECTED = "a mapping with repositories and a credential source";
    private static final String GLOB_EXPECTED = "a repository glob like myorg/* or library/nginx";
    private static final Pattern GLOB = Pattern.compile("[a-z0-9*?][a-z0-9._/*?-]{0,254}");
    private static final Set<String> ENTRY_KEYS = entryKeys();

    private RepositoryCredentialsReader() {}

    /** The entries of {@code upstream}; those with problems are reported and left out. */
    static List<RepositoryCredentials> read(YamlMapping upstream) {
        Optional<List<Located<JsonNode>>> entries = upstream.elements(KEY, EXPECTED);
        if (entries.isEmpty()) {
            return List.of();
        }
        List<RepositoryCredentials> read = new ArrayList<>();
        for (Located<JsonNode> entry : entries.get()) {
            readEntry(entry, upstream.context()).ifPresent(read::add);
        }
        return read;
    }

    private static Optional<RepositoryCredentials> readEntry(Located<JsonNode> entry, ReadContext context) {
        Problems problems = context.problems();
        int before = problems.size();
        Optional<YamlMapping> opened =
                YamlMapping.open(entry.value(), entry.path(), ENTRY_EXPECTED, context, ENTRY_KEYS);
        if (opened.isEmpty()) {
            return Optional.empty();
        }
        YamlMapping m = opened.get();
        List<String> globs = m.list("repositories", GLOB_EXPECTED, RepositoryCredentialsReader::parseGlob)
                .map(items -> items.stream().map(Located::value).toList())
                .orElse(List.of());
        if (globs.isEmpty() && problems.size() == before) {
            problems.add(m.pathOf("repositories"), "missing or empty", "a list of repository globs like myorg/*");
        }
        UpstreamCredentials credentials = CredentialReader.read(m);
        if (problems.size() > before) {
            return Optional.empty();
        }
        return Optional.of(new RepositoryCredentials(globs, credentials));
    }

    private static String parseGlob(String text) {
        if (!GLOB.matcher(text).matches() || text.contains("//")) {
            throw new IllegalArgumentException("invalid repository glob");
        }
        return text;
    }

    private static Set<String> entryKeys() {
        Set<String> keys = new HashSet<>(CredentialReader.KEYS);
        keys.add("repositories");
        return Set.copyOf(keys);
    }
}
