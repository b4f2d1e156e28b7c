package dev.wharf.proxy.upstream;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/** JSON from upstreams, parsed with tight limits: bodies are capped before this, nesting and numbers here. */
public final class UpstreamJson {
    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(16)
                    .maxNumberLength(32)
                    .maxStringLength(4 * 1024 * 1024)
                    .build())
            .build());

    private UpstreamJson() {}

    /** The document in {@code body}; throws {@link IOException} when it is not JSON or breaks a limit. */
    public static JsonNode parse(byte[] body) throws IOException {
        return MAPPER.readTree(body);
    }
}
