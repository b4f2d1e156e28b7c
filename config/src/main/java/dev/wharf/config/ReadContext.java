package dev.wharf.config;

import java.nio.file.Path;
import java.util.Map;

/** What every reader needs: where problems go, the environment for substitution, the directory paths resolve in. */
record ReadContext(Problems problems, Map<String, String> env, Path baseDir) {}
