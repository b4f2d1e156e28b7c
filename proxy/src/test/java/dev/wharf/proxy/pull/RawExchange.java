package dev.wharf.proxy.pull;

import dev.wharf.proxy.lab.ResponseHead;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One HTTP/1.1 request on its own socket, read at the byte level, so that a test sees exactly how many body bytes
 * arrived and when, and whether the connection was closed short of its Content-Length.
 */
final class RawExchange implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final ResponseHead head;

    private RawExchange(Socket socket, InputStream in) throws IOException {
        this.socket = socket;
        this.in = in;
        this.head = ResponseHead.read(in);
    }

    /** Sends {@code method path} with the given extra header lines and reads the response head. */
    static RawExchange send(InetSocketAddress server, String method, String path, String... headerLines)
            throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(server, 5_000);
            socket.setSoTimeout(10_000);
            StringBuilder request = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: localhost\r\n");
            for (String line : headerLines) {
                request.append(line).append("\r\n");
            }
            request.append("\r\n");
            socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            return new RawExchange(socket, new BufferedInputStream(socket.getInputStream()));
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    int status() {
        return head.status();
    }

    String header(String name) {
        return head.header(name).orElse(null);
    }

    long contentLength() {
        return Long.parseLong(head.header("Content-Length").orElseThrow());
    }

    /** Reads exactly {@code n} body bytes; fails if the connection ends first. */
    byte[] read(int n) throws IOException {
        byte[] bytes = in.readNBytes(n);
        if (bytes.length < n) {
            throw new IOException("connection ended after " + bytes.length + " of " + n + " bytes");
        }
        return bytes;
    }

    /** Reads until Content-Length bytes arrived or the connection ended (closed or reset), whichever comes first. */
    byte[] readRest(long alreadyRead) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[64 * 1024];
        long remaining = contentLength() - alreadyRead;
        try {
            while (remaining > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, remaining));
                if (n < 0) {
                    break;
                }
                out.write(buffer, 0, n);
                remaining -= n;
            }
        } catch (IOException e) {
            // A reset is how a connection closed short may end too.
        }
        return out.toByteArray();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
