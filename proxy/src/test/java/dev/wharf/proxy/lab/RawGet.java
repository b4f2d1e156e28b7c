package dev.wharf.proxy.lab;

import dev.wharf.storage.Digest;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * One HTTP/1.1 request on its own socket, read at the byte level: the response head at once, then the body at the
 * caller's pace, hashed as it arrives and never kept. A client that stops reading with a small receive buffer leaves
 * the unread bytes with the server, as a slow client on a slow link does.
 */
public final class RawGet implements AutoCloseable {
    private static final int BUFFER = 64 * 1024;
    private static final int TIMEOUT_MILLIS = 30_000;

    private final Socket socket;
    private final InputStream in;
    private final ResponseHead head;
    private final MessageDigest hash = Hashes.sha256();
    private final byte[] buffer = new byte[BUFFER];
    private long bodyRead;

    private RawGet(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream(), 8 * 1024);
        this.head = ResponseHead.read(in);
    }

    /** Sends {@code method path} to {@code server} ({@code http://host:port}) and reads the response head. */
    public static RawGet send(URI server, String method, String path) throws IOException {
        return send(server, method, path, 0);
    }

    /** As {@link #send(URI, String, String)}, with the socket's receive buffer set to {@code receiveBuffer} bytes. */
    public static RawGet send(URI server, String method, String path, int receiveBuffer) throws IOException {
        Socket socket = new Socket();
        try {
            if (receiveBuffer > 0) {
                // Before connecting, so that the window the server sees is small from the start.
                socket.setReceiveBufferSize(receiveBuffer);
            }
            socket.connect(new InetSocketAddress(server.getHost(), server.getPort()), TIMEOUT_MILLIS);
            socket.setSoTimeout(TIMEOUT_MILLIS);
            String request = method + " " + path + " HTTP/1.1\r\nHost: " + server.getAuthority()
                    + "\r\nConnection: close\r\n\r\n";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            return new RawGet(socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** The response status. */
    public int status() {
        return head.status();
    }

    /** A response header, or empty. */
    public Optional<String> header(String name) {
        return head.header(name);
    }

    /** The announced body length; fails when the response did not announce one. */
    public long contentLength() {
        return Long.parseLong(header("Content-Length")
                .orElseThrow(() -> new IllegalStateException(head.headers().toString())));
    }

    /** Body bytes read so far. */
    public long bodyRead() {
        return bodyRead;
    }

    /** Reads exactly {@code n} more body bytes; fails if the connection ends first. */
    public void read(long n) throws IOException {
        long remaining = n;
        while (remaining > 0) {
            int got = in.read(buffer, 0, (int) Math.min(buffer.length, remaining));
            if (got < 0) {
                throw new IOException("connection ended after " + bodyRead + " body bytes");
            }
            hash.update(buffer, 0, got);
            bodyRead += got;
            remaining -= got;
        }
    }

    /** Reads the body up to its Content-Length; fails if the connection ends first. */
    public void readRest() throws IOException {
        read(contentLength() - bodyRead);
    }

    /** The sha256 of the body bytes read so far. */
    public Digest digest() {
        try {
            return Hashes.finish((MessageDigest) hash.clone());
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
