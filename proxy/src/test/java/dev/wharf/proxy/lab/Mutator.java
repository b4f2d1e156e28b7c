package dev.wharf.proxy.lab;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

/**
 * Deterministic mutations of seed inputs for property tests of parsers: inserts, deletions, repeats, splices and
 * hostile characters, from a fixed seed so that a failure reproduces. Stands in for a coverage-guided fuzzer.
 */
public final class Mutator {
    private static final String HOSTILE =
            "%\\\u0000\u0001\r\n\t \"',;:=<>/?#@&+-._~*$!()[]{}|^`0123456789aZz\u00e9\u00ff\u2028\uffff";
    private final List<String> seeds;
    private final Random random;

    public Mutator(List<String> seeds, long seed) {
        this.seeds = List.copyOf(seeds);
        this.random = new Random(seed);
    }

    /** The non-empty lines of the classpath resource {@code name}. */
    public static List<String> seeds(String name) {
        try (InputStream in = Mutator.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing seed corpus " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .lines()
                    .filter(line -> !line.isEmpty())
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next input: a seed with 1 to 4 mutations. */
    public String next() {
        StringBuilder s = new StringBuilder(seeds.get(random.nextInt(seeds.size())));
        int rounds = 1 + random.nextInt(4);
        for (int i = 0; i < rounds; i++) {
            mutate(s);
        }
        return s.toString();
    }

    private void mutate(StringBuilder s) {
        int at = s.length() == 0 ? 0 : random.nextInt(s.length() + 1);
        switch (random.nextInt(7)) {
            case 0 -> s.insert(at, HOSTILE.charAt(random.nextInt(HOSTILE.length())));
            case 1 -> {
                if (s.length() > 0) {
                    int end = Math.min(s.length(), at + 1 + random.nextInt(8));
                    s.delete(Math.min(at, s.length() - 1), end);
                }
            }
            case 2 -> {
                int end = Math.min(s.length(), at + 1 + random.nextInt(16));
                String part = s.substring(Math.min(at, end), end);
                s.insert(at, part.repeat(1 + random.nextInt(64)));
            }
            case 3 -> {
                String other = seeds.get(random.nextInt(seeds.size()));
                s.insert(at, other.substring(random.nextInt(other.length() + 1)));
            }
            case 4 -> s.setLength(at);
            case 5 -> s.insert(at, String.valueOf(random.nextLong()));
            default -> {
                if (s.length() > 0) {
                    s.setCharAt(Math.min(at, s.length() - 1), (char) random.nextInt(0x180));
                }
            }
        }
    }
}
