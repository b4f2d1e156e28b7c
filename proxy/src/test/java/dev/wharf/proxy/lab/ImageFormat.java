package dev.wharf.proxy.lab;

/** Docker schema 2 or OCI media types for a seeded image and its index. */
public enum ImageFormat {
    DOCKER(
            MediaTypes.DOCKER_MANIFEST,
            MediaTypes.DOCKER_MANIFEST_LIST,
            MediaTypes.DOCKER_CONFIG,
            MediaTypes.DOCKER_LAYER),
    OCI(MediaTypes.OCI_MANIFEST, MediaTypes.OCI_INDEX, MediaTypes.OCI_CONFIG, MediaTypes.OCI_LAYER);

    final String manifest;
    final String index;
    final String config;
    final String layer;

    ImageFormat(String manifest, String index, String config, String layer) {
        this.manifest = manifest;
        this.index = index;
        this.config = config;
        this.layer = layer;
    }
}
