package dev.wharf.proxy.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;

/** What an admin endpoint answers: a status, a content type and the whole body (admin answers are small). */
public record AdminResponse(int status, String contentType, byte[] body) {
    static final String PLAIN_TEXT = "text/plain; charset=utf-8";
    static final String JSON = "application/json";
    static final String HTML = "text/html; charset=utf-8";
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public AdminResponse {
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(body, "body");
    }

    /** {@code text} as UTF-8 plain text. */
    public static AdminResponse text(int status, String text) {
        return new AdminResponse(status, PLAIN_TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code value} (records, maps, lists) written as JSON. */
    public static AdminResponse json(int status, Object value) {
        try {
            return new AdminResponse(status, JSON, MAPPER.writeValueAsBytes(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write admin answer as JSON", e);
        }
    }

    /** A JSON error body {@code {"error": message}}. */
    public static AdminResponse error(int status, String message) {
        return json(status, Map.of("error", message));
    }

    /** {@code html} as a UTF-8 HTML page. */
    public static AdminResponse html(String html) {
        return new AdminResponse(200, HTML, html.getBytes(StandardCharsets.UTF_8));
    }
}
