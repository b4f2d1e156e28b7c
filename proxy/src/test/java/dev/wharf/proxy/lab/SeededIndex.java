package dev.wharf.proxy.lab;

import java.util.List;

/** An index pushed into a registry, and its platform images in the order it lists them. */
public record SeededIndex(SeededImage index, List<SeededImage> platforms) {
    public SeededIndex {
        platforms = List.copyOf(platforms);
    }
}
