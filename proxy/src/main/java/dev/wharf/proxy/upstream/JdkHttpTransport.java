package dev.wharf.proxy.upstream;

import com.google.api.client.http.HttpTransport;
import com.google.api.client.http.LowLevelHttpRequest;
import com.google.api.client.http.LowLevelHttpResponse;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Google's HTTP transport over the JDK's client, for the auth library's token requests: every request (connect and
 * whole answer) is bounded by one timeout whatever the library asks, redirects are never followed, and answers are
 * capped like token bodies. The library's default transport takes 20 s per connect and per read, and retries.
 */
final class JdkHttpTransport extends HttpTransport {
    private final HttpClient client;
    private final Duration timeout;

    JdkHttpTransport(Duration timeout) {
        this.timeout = timeout;
        this.client = HttpClient.newBuilder()
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    @Override
    protected LowLevelHttpRequest buildRequest(String method, String url) {
        return new Request(method, URI.create(url));
    }

    private final class Request extends LowLevelHttpRequest {
        private final String method;
        private final URI uri;
        private final List<String[]> headers = new ArrayList<>();

        Request(String method, URI uri) {
            this.method = method;
            this.uri = uri;
        }

        @Override
        public void addHeader(String name, String value) {
            headers.add(new String[] {name, value});
        }

        @Override
        public LowLevelHttpResponse execute() throws IOException {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            if (getStreamingContent() != null) {
                getStreamingContent().writeTo(body);
            }
            HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                    .timeout(timeout)
                    .method(method, HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()));
            for (String[] header : headers) {
                // The JDK sets these itself; without Accept-Encoding no answer comes compressed.
                if (!List.of("content-length", "host", "connection", "accept-encoding")
                        .contains(header[0].toLowerCase(Locale.ROOT))) {
                    request.header(header[0], header[1]);
                }
            }
            if (getContentType() != null) {
                request.setHeader("Content-Type", getContentType());
            }
            if (getContentEncoding() != null) {
                request.setHeader("Content-Encoding", getContentEncoding());
            }
            HttpResponse<InputStream> response;
            try {
                response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted");
            }
            byte[] content;
            try (InputStream in = response.body()) {
                content = in.readNBytes(Authorizer.MAX_TOKEN_BODY + 1);
            }
            if (content.length > Authorizer.MAX_TOKEN_BODY) {
                throw new IOException("answer larger than " + Authorizer.MAX_TOKEN_BODY / 1024 + " KiB");
            }
            return new Response(response.statusCode(), response.headers().map(), content);
        }
    }

    private static final class Response extends LowLevelHttpResponse {
        private final int status;
        private final List<String[]> headers = new ArrayList<>();
        private final byte[] content;

        Response(int status, Map<String, List<String>> headers, byte[] content) {
            this.status = status;
            this.content = content;
            headers.forEach((name, values) -> values.forEach(value -> this.headers.add(new String[] {name, value})));
        }

        private String header(String name) {
            return headers.stream()
                    .filter(h -> h[0].equalsIgnoreCase(name))
                    .map(h -> h[1])
                    .findFirst()
                    .orElse(null);
        }

        @Override
        public InputStream getContent() {
            return new ByteArrayInputStream(content);
        }

        @Override
        public String getContentEncoding() {
            return header("Content-Encoding");
        }

        @Override
        public long getContentLength() {
            return content.length;
        }

        @Override
        public String getContentType() {
            return header("Content-Type");
        }

        @Override
        public String getStatusLine() {
            return "HTTP/1.1 " + status;
        }

        @Override
        public int getStatusCode() {
            return status;
        }

        @Override
        public String getReasonPhrase() {
            return "";
        }

        @Override
        public int getHeaderCount() {
            return headers.size();
        }

        @Override
        public String getHeaderName(int index) {
            return headers.get(index)[0];
        }

        @Override
        public String getHeaderValue(int index) {
            return headers.get(index)[1];
        }
    }
}
