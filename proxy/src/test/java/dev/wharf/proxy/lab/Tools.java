package dev.wharf.proxy.lab;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Locates the external programs the lab needs; a missing one fails loudly, naming the Debian package. */
public final class Tools {
    private Tools() {}

    /** The CNCF distribution registry binary. */
    public static Path dockerRegistry() {
        return require("docker-registry", "docker-registry");
    }

    /** The skopeo client. */
    public static Path skopeo() {
        return require("skopeo", "skopeo");
    }

    /** containerd's command-line client. */
    public static Path ctr() {
        return require("ctr", "containerd");
    }

    /** The containerd daemon. */
    public static Path containerd() {
        return require("containerd", "containerd");
    }

    /** Apache's htpasswd. */
    public static Path htpasswd() {
        return require("htpasswd", "apache2-utils");
    }

    /** The executable {@code binary} on PATH; throws naming {@code debianPackage} when it is absent. */
    public static Path require(String binary, String debianPackage) {
        return find(binary)
                .orElseThrow(() -> new IllegalStateException(binary + " not found on PATH: install the Debian package '"
                        + debianPackage + "' (apt-get install -y " + debianPackage + ")"));
    }

    /** The executable {@code binary} on PATH, or empty. */
    public static Optional<Path> find(String binary) {
        String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, binary);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
