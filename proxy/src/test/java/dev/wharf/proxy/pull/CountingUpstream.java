package dev.wharf.proxy.pull;

import dev.wharf.proxy.upstream.BlobResponse;
import dev.wharf.proxy.upstream.ManifestHead;
import dev.wharf.proxy.upstream.ManifestResponse;
import dev.wharf.proxy.upstream.UpstreamClient;
import dev.wharf.proxy.upstream.UpstreamException;
import dev.wharf.proxy.upstream.UpstreamFailures;
import dev.wharf.storage.Digest;
import dev.wharf.storage.RepositoryName;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An upstream in memory that counts every call. It serves what the test configured, and can be told to fail, to
 * serve corrupted blob bytes, or to hold every call until released. Thread-safe.
 */
final class CountingUpstream implements UpstreamClient {
    static final String MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json";

    /** The calls an upstream client offers. */
    enum Call {
        HEAD,
        MANIFEST,
        BLOB,
        TAGS,
        REFERRERS
    }

    private final Map<String, ManifestResponse> manifests = new ConcurrentHashMap<>();
    private final Map<Digest, byte[]> blobs = new ConcurrentHashMap<>();
    private final Map<Digest, byte[]> referrers = new ConcurrentHashMap<>();
    private final Map<Call, AtomicInteger> counts = new EnumMap<>(Call.class);
    private final Map<Call, UpstreamException.Kind> failures = new ConcurrentHashMap<>();
    private final AtomicInteger openBlobResponses = new AtomicInteger();
    private volatile List<String> tags = List.of();
    private volatile boolean corruptBlobs;
    private volatile boolean stallBlobs;
    private volatile CountDownLatch gate = new CountDownLatch(0);
    private volatile int stallAt = Integer.MAX_VALUE;
    private final CountDownLatch bodyGate = new CountDownLatch(1);

    CountingUpstream() {
        for (Call call : Call.values()) {
            counts.put(call, new AtomicInteger());
        }
    }

    /** Serves {@code body} for {@code tag} and for its digest, with a correct digest header; returns the digest. */
    Digest tag(String tag, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        Digest digest = Digest.sha256(bytes);
        ManifestResponse response = new ManifestResponse(bytes, MANIFEST_TYPE, Optional.of(digest));
        manifests.put(tag, response);
        manifests.put(digest.toString(), response);
        return digest;
    }

    /** Serves exactly {@code response} for {@code reference}, whatever its bytes or header say. */
    void manifest(String reference, ManifestResponse response) {
        manifests.put(reference, response);
    }

    /** Serves {@code bytes} as a blob; returns its digest. */
    Digest blob(byte[] bytes) {
        Digest digest = Digest.sha256(bytes);
        blobs.put(digest, bytes.clone());
        return digest;
    }

    /** Answers the referrers API for {@code subject} with {@code index}; without it, the API answers 404. */
    void referrers(Digest subject, String index) {
        referrers.put(subject, index.getBytes(StandardCharsets.UTF_8));
    }

    void tags(List<String> list) {
        tags = List.copyOf(list);
    }

    /** From now on blobs come with their right length but one byte changed. */
    void corruptBlobs(boolean corrupt) {
        corruptBlobs = corrupt;
    }

    /** From now on {@code calls} (every call when none are named) throw a failure of {@code kind}. */
    void fail(UpstreamException.Kind kind, Call... calls) {
        Set<Call> which = calls.length == 0 ? EnumSet.allOf(Call.class) : EnumSet.of(calls[0], calls);
        which.forEach(call -> failures.put(call, kind));
    }

    /**
     * From now on blob bodies stop after half their bytes, and the next read fails as the real client's does once
     * the body has made no progress for its read timeout.
     */
    void stallBlobs(boolean stall) {
        stallBlobs = stall;
    }

    /** Calls succeed again. */
    void heal() {
        failures.clear();
    }

    /** From now on every call, once counted, waits until {@link #release()}. */
    void hold() {
        gate = new CountDownLatch(1);
    }

    /** Lets held calls, and later ones, go on. */
    void release() {
        gate.countDown();
    }

    /** From now on blob bodies stop after {@code offset} bytes until {@link #releaseBodies()}. */
    void stallBodiesAt(int offset) {
        stallAt = offset;
    }

    /** Lets stalled blob bodies, and later ones, go on to their end. */
    void releaseBodies() {
        bodyGate.countDown();
    }

    int count(Call call) {
        return counts.get(call).get();
    }

    int total() {
        return counts.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    /** Blob responses handed out and not yet closed. */
    int openBlobResponses() {
        return openBlobResponses.get();
    }

    @Override
    public String name() {
        return "fake";
    }

    @Override
    public ManifestHead headManifest(RepositoryName repo, String reference) {
        enter(Call.HEAD);
        ManifestResponse response = manifestOf(reference);
        return new ManifestHead(response.digestHeader(), response.mediaType(), response.body().length);
    }

    @Override
    public ManifestResponse fetchManifest(RepositoryName repo, String reference) {
        enter(Call.MANIFEST);
        ManifestResponse response = manifestOf(reference);
        return new ManifestResponse(response.body().clone(), response.mediaType(), response.digestHeader());
    }

    @Override
    public ManifestResponse fetchReferrers(RepositoryName repo, Digest subject) {
        enter(Call.REFERRERS);
        byte[] index = referrers.get(subject);
        if (index == null) {
            throw UpstreamFailures.of(UpstreamException.Kind.NOT_FOUND);
        }
        return new ManifestResponse(index.clone(), "application/vnd.oci.image.index.v1+json", Optional.empty());
    }

    @Override
    public BlobResponse fetchBlob(RepositoryName repo, Digest digest) {
        enter(Call.BLOB);
        byte[] bytes = blobs.get(digest);
        if (bytes == null) {
            throw UpstreamFailures.of(UpstreamException.Kind.NOT_FOUND);
        }
        byte[] served = bytes.clone();
        if (corruptBlobs) {
            served[served.length / 2] ^= 1;
        }
        openBlobResponses.incrementAndGet();
        return new OpenResponse(served, stallBlobs, stallAt);
    }

    @Override
    public List<String> fetchTags(RepositoryName repo) {
        enter(Call.TAGS);
        return tags;
    }

    private void enter(Call call) {
        counts.get(call).incrementAndGet();
        try {
            gate.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while held", e);
        }
        UpstreamException.Kind kind = failures.get(call);
        if (kind != null) {
            throw UpstreamFailures.of(kind);
        }
    }

    private ManifestResponse manifestOf(String reference) {
        ManifestResponse response = manifests.get(reference);
        if (response == null) {
            throw UpstreamFailures.of(UpstreamException.Kind.NOT_FOUND);
        }
        return response;
    }

    private final class OpenResponse implements BlobResponse {
        private final byte[] bytes;
        private final boolean timeOutHalfway;
        private final int stallAt;
        private boolean closed;

        OpenResponse(byte[] bytes, boolean timeOutHalfway, int stallAt) {
            this.bytes = bytes;
            this.timeOutHalfway = timeOutHalfway;
            this.stallAt = stallAt;
        }

        @Override
        public long contentLength() {
            return bytes.length;
        }

        @Override
        public InputStream body() {
            if (!timeOutHalfway) {
                return stallAt >= bytes.length ? new ByteArrayInputStream(bytes) : new StallingBody(bytes, stallAt);
            }
            return new SequenceInputStream(new ByteArrayInputStream(bytes, 0, bytes.length / 2), new InputStream() {
                @Override
                public int read() {
                    throw UpstreamFailures.timeout();
                }
            });
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                openBlobResponses.decrementAndGet();
            }
        }
    }

    /** A body that serves its first {@code stallAt} bytes, then waits for {@link #releaseBodies()}. */
    private final class StallingBody extends InputStream {
        private final byte[] bytes;
        private final int stallAt;
        private int position;

        StallingBody(byte[] bytes, int stallAt) {
            this.bytes = bytes;
            this.stallAt = stallAt;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (position >= bytes.length) {
                return -1;
            }
            if (position >= stallAt) {
                try {
                    bodyGate.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while stalled", e);
                }
            }
            int limit = position < stallAt ? stallAt : bytes.length;
            int n = Math.min(len, limit - position);
            System.arraycopy(bytes, position, b, off, n);
            position += n;
            return n;
        }
    }
}
