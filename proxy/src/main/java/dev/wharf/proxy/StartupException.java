package dev.wharf.proxy;

import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Why Wharf could not start, said in one line a user can act on (the address in use, the storage another process
 * holds), with the original failure as its cause for the log.
 */
public final class StartupException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private StartupException(String message, Throwable cause) {
        super(message, cause);
    }

    /** A listener could not be bound to {@code address}. */
    static StartupException listen(String listener, InetSocketAddress address, Throwable cause) {
        String where = address.getHostString() + ":" + address.getPort();
        String reason = mentions(cause, "address already in use") || cause instanceof BindException
                ? "the address is in use (another Wharf, or another server, listens there)"
                : mentions(cause, "cannot assign requested address")
                        ? "no interface of this machine has that address"
                        : mentions(cause, "permission denied")
                                ? "permission denied (ports below 1024 need privileges)"
                                : describe(cause);
        return new StartupException("cannot listen on " + where + " (" + listener + "): " + reason, cause);
    }

    /** The storage under {@code path} could not be opened. */
    /** The TLS listener's certificate or key cannot be used: {@code reason} names the key and file, never key material. */
    static StartupException tls(IllegalArgumentException reason) {
        return new StartupException("cannot serve TLS: " + reason.getMessage(), reason);
    }

    public static StartupException storage(Path path, Throwable cause) {
        String reason = mentions(cause, "lock")
                ? "it is in use by another Wharf process (each storage path belongs to one process at a time)"
                : mentions(cause, "read-only file system")
                                || mentions(cause, "permission denied")
                                || mentions(cause, "accessdenied")
                        ? "it is not writable by this process"
                        : describe(cause);
        return new StartupException("cannot open the storage at " + path + ": " + reason, cause);
    }

    /** Whether any message in {@code failure}'s cause chain mentions {@code text}, ignoring case. */
    private static boolean mentions(Throwable failure, String text) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t.getMessage() != null
                    && t.getMessage().toLowerCase(Locale.ROOT).contains(text)) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /** The innermost message of the chain, with its exception's simple name when it has none. */
    private static String describe(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
