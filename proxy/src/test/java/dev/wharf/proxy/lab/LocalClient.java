package dev.wharf.proxy.lab;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;

/**
 * Raw HTTP/1.1 exchanges with a server from a chosen loopback source address ({@code 127.0.0.N}), so that a test can
 * play clients at several addresses: bytes exactly as written, the answer read until the server closes.
 */
public final class LocalClient {
    private static final int TIMEOUT_MILLIS = 30_000;

    private final InetAddress source;

    private LocalClient(InetAddress source) {
        this.source = source;
    }

    /** A client whose connections come from {@code 127.0.0.n}. */
    public static LocalClient from(int n) {
        try {
            return new LocalClient(InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) n}));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    public InetAddress source() {
        return source;
    }

    /** A connected socket to {@code server} from this client's address. */
    public Socket connect(URI server) throws IOException {
        Socket socket = new Socket();
        try {
            socket.bind(new InetSocketAddress(source, 0));
            socket.connect(new InetSocketAddress(server.getHost(), server.getPort()), TIMEOUT_MILLIS);
            socket.setSoTimeout(TIMEOUT_MILLIS);
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** Sends {@code raw} on a new connection and returns everything the server sends until it closes. */
    public String exchange(URI server, String raw) throws IOException {
        try (Socket socket = connect(server)) {
            socket.getOutputStream().write(raw.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return readToEnd(socket.getInputStream());
        }
    }

    /** {@code GET path} with {@code Connection: close}; returns the whole answer. */
    public String get(URI server, String path) throws IOException {
        return exchange(server, "GET " + path + " HTTP/1.1\r\nHost: wharf\r\nConnection: close\r\n\r\n");
    }

    /** Everything until end of stream (a reset after some bytes ends it too). */
    public static String readToEnd(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw e;
        } catch (IOException e) {
            if (out.size() == 0) {
                throw e;
            }
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    /** The status code of the first response in {@code answer}, or -1 when it holds none. */
    public static int status(String answer) {
        return answer.startsWith("HTTP/1.1 ") && answer.length() >= 12 ? Integer.parseInt(answer.substring(9, 12)) : -1;
    }
}
