package dev.wharf.proxy.bundle;

/** Why a bundle cannot be exported or imported, said in one line a user can act on. */
final class BundleException extends Exception {
    private static final long serialVersionUID = 1L;

    BundleException(String message) {
        super(message);
    }

    BundleException(String message, Throwable cause) {
        super(message, cause);
    }
}
