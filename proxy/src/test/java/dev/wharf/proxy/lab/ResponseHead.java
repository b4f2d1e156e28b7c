package dev.wharf.proxy.lab;

import java.io.IOException;
import java.io.InputStream;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The status and headers of an HTTP/1.1 response, read byte by byte so that nothing of the body is consumed. */
public record ResponseHead(int status, Map<String, String> headers) {
    /** Reads the head from {@code in}, leaving it at the first body byte; throws when the connection ends first. */
    public static ResponseHead read(InputStream in) throws IOException {
        int status = Integer.parseInt(line(in).split(" ")[1]);
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (String header; !(header = line(in)).isEmpty(); ) {
            int colon = header.indexOf(':');
            headers.put(
                    header.substring(0, colon).trim(),
                    header.substring(colon + 1).trim());
        }
        return new ResponseHead(status, Collections.unmodifiableMap(headers));
    }

    /** A header's value, whatever the case of its name. */
    public Optional<String> header(String name) {
        return Optional.ofNullable(headers.get(name));
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) {
                throw new IOException("connection ended in the response head");
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }
}
