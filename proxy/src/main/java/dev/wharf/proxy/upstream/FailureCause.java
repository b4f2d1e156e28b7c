package dev.wharf.proxy.upstream;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.UnresolvedAddressException;
import java.util.Locale;
import javax.net.ssl.SSLException;

/**
 * Why a call to an upstream failed, in a few words a user can act on (DNS, refused, TLS, timeout), read from the cause
 * chain of a failure: for logs and error details. It never includes a URL, a header or a credential.
 */
public final class FailureCause {
    private static final int MAX_TLS_REASON = 200;

    private FailureCause() {}

    /** {@code DNS lookup failed}, {@code connection refused}, {@code TLS handshake failed: ...}, ... */
    public static String of(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SSLException ssl) {
                String said = ssl.getMessage() == null ? ssl.getClass().getSimpleName() : ssl.getMessage();
                said = said.lines().findFirst().orElse("").strip();
                return "TLS handshake failed: "
                        + (said.length() > MAX_TLS_REASON ? said.substring(0, MAX_TLS_REASON) + "..." : said);
            }
            if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
                return "DNS lookup failed";
            }
            if (t instanceof NoRouteToHostException) {
                return "no route to host";
            }
            if (t instanceof HttpTimeoutException || t instanceof SocketTimeoutException) {
                return "timed out";
            }
            String message = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
            if (message.contains("connection refused")) {
                return "connection refused";
            }
            if (message.contains("connection reset") || message.contains("broken pipe")) {
                return "connection reset";
            }
        }
        if (failure instanceof ConnectException) {
            // The JDK's HTTP client reports a refused connect as ConnectException over ClosedChannelException, with
            // no message on either.
            return hasCause(failure, ClosedChannelException.class) ? "connection refused" : "could not connect";
        }
        return failure.getClass().getSimpleName();
    }

    private static boolean hasCause(Throwable failure, Class<? extends Throwable> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
