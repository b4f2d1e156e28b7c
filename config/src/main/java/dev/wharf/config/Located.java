package dev.wharf.config;

/** A value read from the configuration together with its YAML path, for problems found later. */
record Located<T>(String path, T value) {}
