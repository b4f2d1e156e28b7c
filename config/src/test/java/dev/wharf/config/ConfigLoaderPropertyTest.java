package dev.wharf.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Mutated configuration files (fixed seed, seed under {@code fuzz/}): the loader answers a configuration or a {@link
 * ConfigException} listing problems, never another exception, and no problem echoes the password.
 */
class ConfigLoaderPropertyTest {
    private static final int RUNS = 3_000;
    private static final String HOSTILE = "\n\r\t :-[]{}\"'#&*!|>%@`,?${}\u0000\u00e9x0";

    @Test
    void everyMutatedFileLoadsOrIsReportedProblemByProblem() throws IOException {
        String seed;
        try (InputStream in = getClass().getResourceAsStream("/fuzz/config.yaml")) {
            seed = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Random random = new Random(15);
        for (int i = 0; i < RUNS; i++) {
            String yaml = mutate(seed, random);
            try {
                ConfigLoader.parse(yaml, Map.of(), Path.of("/nonexistent-base"));
            } catch (ConfigException e) {
                assertFalse(e.problems().isEmpty(), yaml);
                assertFalse(e.getMessage().contains("secret"), e.getMessage());
            } catch (RuntimeException e) {
                fail("loading threw " + e + " for:\n" + yaml, e);
            }
        }
    }

    private static String mutate(String seed, Random random) {
        StringBuilder s = new StringBuilder(seed);
        for (int round = 1 + random.nextInt(4); round > 0; round--) {
            int at = random.nextInt(s.length() + 1);
            switch (random.nextInt(5)) {
                case 0 -> s.insert(at, HOSTILE.charAt(random.nextInt(HOSTILE.length())));
                case 1 -> s.delete(at, Math.min(s.length(), at + 1 + random.nextInt(12)));
                case 2 -> {
                    int end = Math.min(s.length(), at + 1 + random.nextInt(40));
                    s.insert(at, s.substring(Math.min(at, end), end));
                }
                case 3 -> s.insert(at, String.valueOf(random.nextLong()));
                default -> {
                    if (at < s.length()) {
                        s.setCharAt(at, HOSTILE.charAt(random.nextInt(HOSTILE.length())));
                    }
                }
            }
        }
        return s.toString();
    }
}
