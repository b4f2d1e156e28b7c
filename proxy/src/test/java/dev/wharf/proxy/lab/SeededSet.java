package dev.wharf.proxy.lab;

import java.util.List;

/** The standard images {@link ImageSeeder#seedStandard()} pushes, with the platform manifests of the two indexes. */
public record SeededSet(
        SeededImage alpine,
        SeededImage ociApp,
        SeededImage multi,
        List<SeededImage> multiPlatforms,
        SeededImage ociIndex,
        List<SeededImage> ociIndexPlatforms) {
    public SeededSet {
        multiPlatforms = List.copyOf(multiPlatforms);
        ociIndexPlatforms = List.copyOf(ociIndexPlatforms);
    }

    /** The four tagged images, in seeding order. */
    public List<SeededImage> all() {
        return List.of(alpine, ociApp, multi, ociIndex);
    }
}
