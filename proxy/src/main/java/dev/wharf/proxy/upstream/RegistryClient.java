package dev.wharf.proxy.upstream;

import dev.wharf.storage.Digest;
import dev.wharf.storage.RepositoryName;
import dev.wharf.storage.Tag;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * An OCI distribution client for one upstream, on {@code java.net.http} over HTTP/1.1. Thread-safe. Each request waits
 * for its response headers, and each body read for a byte, at most the read timeout for blobs and the manifest timeout
 * for manifests, tag list pages and tokens; either timeout fails with {@link UpstreamException#timedOut()}.
 */
public final class RegistryClient implements UpstreamClient {
    static final int MAX_TAG_PAGE_BYTES = 4 * 1024 * 1024;
    /** Tags asked for per page; registries may send fewer. */
    static final int TAG_PAGE_SIZE = 1000;
    /** Pages followed in one {@link #fetchTags} call; a longer list is {@code TOO_LARGE}. */
    static final int MAX_TAG_PAGES = 20;

    static final int MAX_TAGS = 100_000;
    private static final String MANIFEST_ACCEPT = String.join(
            ", ",
            "application/vnd.oci.image.index.v1+json",
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.docker.distribution.manifest.list.v2+json",
            "application/vnd.docker.distribution.manifest.v2+json");
    private static final String CATALOG_SCOPE = "registry:catalog:*";
    private static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    private static final Pattern MEDIA_TYPE = Pattern.compile("[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+");

    private final UpstreamSettings settings;
    private final URI base;
    private final Transport transport;
    private final Function<RepositoryName, Authorizer> authorizers;
    /** The upstream's own login, for requests that name no repository. */
    private final Authorizer catalogAuthorizer;

    private final Clock clock;
    private final AtomicReference<Optional<RateLimit>> rateLimit = new AtomicReference<>(Optional.empty());
    private final AtomicLong credentialFailures = new AtomicLong();

    /**
     * A client with its own {@link HttpClient} using the settings' connect timeout; {@code watchdog} (owned by the
     * caller, who closes it) times out stalled bodies.
     */
    public RegistryClient(UpstreamSettings settings, ScheduledExecutorService watchdog) {
        this(settings, newHttpClient(settings), watchdog);
    }

    /**
     * A client on a shared {@link HttpClient}, whose own connect timeout then applies. The shared client must not
     * follow redirects and must have no cookie handler or authenticator; otherwise {@link IllegalArgumentException}.
     */
    public RegistryClient(UpstreamSettings settings, HttpClient http, ScheduledExecutorService watchdog) {
        this(settings, http, Clock.systemUTC(), watchdog);
    }

    RegistryClient(UpstreamSettings settings, HttpClient http, Clock clock, ScheduledExecutorService watchdog) {
        this(settings, CredentialRoutes.single(CredentialSource.of(settings)), Optional.empty(), http, clock, watchdog);
    }

    /**
     * A client whose login comes from {@code credentials}' source for the repository at each request and whose TLS (both for manifests and blob
     * bodies) is {@code ssl} when present, on an {@link HttpClient} of its own made with that TLS.
     */
    public RegistryClient(
            UpstreamSettings settings,
            CredentialRoutes credentials,
            Optional<UpstreamSsl> ssl,
            ScheduledExecutorService watchdog) {
        this(settings, credentials, ssl, newHttpClient(settings, ssl), Clock.systemUTC(), watchdog);
    }

    RegistryClient(
            UpstreamSettings settings,
            CredentialRoutes credentials,
            Optional<UpstreamSsl> ssl,
            HttpClient http,
            Clock clock,
            ScheduledExecutorService watchdog) {
        if (http.followRedirects() != HttpClient.Redirect.NEVER
                || http.cookieHandler().isPresent()
                || http.authenticator().isPresent()) {
            throw new IllegalArgumentException("upstream " + settings.name()
                    + ": the HTTP client must not follow redirects, keep cookies or authenticate by itself");
        }
        this.settings = settings;
        this.base = settings.baseUrl();
        this.clock = clock;
        this.transport = new Transport(http, settings, ssl, userAgent(), watchdog);
        // Each source has its own remembered challenge and tokens: a login's tokens never serve another login.
        this.authorizers =
                credentials.each(source -> new Authorizer(settings, source, transport, new TokenCache(clock)));
        this.catalogAuthorizer = new Authorizer(settings, credentials.fallback(), transport, new TokenCache(clock));
    }

    /** A client configured as this class requires: HTTP/1.1, no redirects, no cookies. */
    public static HttpClient newHttpClient(UpstreamSettings settings) {
        return newHttpClient(settings, Optional.empty());
    }

    /** As {@link #newHttpClient(UpstreamSettings)}, with {@code ssl}'s context when present. */
    static HttpClient newHttpClient(UpstreamSettings settings, Optional<UpstreamSsl> ssl) {
        HttpClient.Builder builder = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(settings.connectTimeout());
        ssl.ifPresent(tls -> builder.sslContext(tls.context()));
        return builder.build();
    }

    /** The {@code Accept} header sent with every manifest request: OCI and Docker v2 types, never schema 1. */
    public static String manifestAcceptHeader() {
        return MANIFEST_ACCEPT;
    }

    @Override
    public String name() {
        return settings.name();
    }

    @Override
    public ManifestHead headManifest(RepositoryName repo, String reference) {
        Exchange exchange =
                execute("HEAD", manifestUri(repo, reference), repo, Optional.of(MANIFEST_ACCEPT), manifestTimeout());
        expectOk(exchange, repo);
        exchange.discard();
        HttpHeaders headers = exchange.headers();
        return new ManifestHead(
                digestHeader(headers),
                mediaType(exchange),
                headers.firstValueAsLong("Content-Length").orElse(-1));
    }

    @Override
    public ManifestResponse fetchManifest(RepositoryName repo, String reference) {
        Exchange exchange =
                execute("GET", manifestUri(repo, reference), repo, Optional.of(MANIFEST_ACCEPT), manifestTimeout());
        expectOk(exchange, repo);
        String mediaType = mediaTypeOrDiscard(exchange);
        byte[] body = readCapped(exchange, MAX_MANIFEST_BYTES, "manifest");
        try {
            mediaType = ManifestMediaType.decide(mediaType, body);
        } catch (IllegalArgumentException e) {
            throw new UpstreamException(
                    UpstreamException.Kind.PROTOCOL,
                    exchange.status(),
                    prefix() + "GET " + exchange.described() + ": " + e.getMessage());
        }
        return new ManifestResponse(body, mediaType, digestHeader(exchange.headers()));
    }

    /** {@code GET /v2/<name>/referrers/<digest>}: 404 (distribution 2.8 has no such route) is {@code NOT_FOUND}. */
    @Override
    public ManifestResponse fetchReferrers(RepositoryName repo, Digest subject) {
        URI uri = base.resolve("/v2/" + repo.value() + "/referrers/" + subject);
        Exchange exchange = execute("GET", uri, repo, Optional.of(OCI_INDEX), manifestTimeout());
        expectOk(exchange, repo);
        String mediaType = mediaTypeOrDiscard(exchange);
        byte[] body = readCapped(exchange, MAX_MANIFEST_BYTES, "referrers index");
        return new ManifestResponse(body, mediaType, Optional.empty());
    }

    /** The answer's media type; a missing or malformed one discards the body before it throws. */
    private String mediaTypeOrDiscard(Exchange exchange) {
        try {
            return mediaType(exchange);
        } catch (UpstreamException e) {
            exchange.discard();
            throw e;
        }
    }

    @Override
    public BlobResponse fetchBlob(RepositoryName repo, Digest digest) {
        URI uri = base.resolve("/v2/" + repo.value() + "/blobs/" + digest);
        Exchange exchange = execute("GET", uri, repo, Optional.empty(), settings.readTimeout(), Transport.Body.LARGE);
        expectOk(exchange, repo);
        long length = exchange.headers().firstValueAsLong("Content-Length").orElse(-1);
        InputStream body = exchange.body();
        return new BlobResponse() {
            @Override
            public long contentLength() {
                return length;
            }

            @Override
            public InputStream body() {
                return body;
            }

            @Override
            public void close() {
                try {
                    body.close();
                } catch (IOException ignored) {
                    // Closing only releases the connection; there is nothing left to report.
                }
            }
        };
    }

    /**
     * Asks for pages of {@value #TAG_PAGE_SIZE} tags and follows {@code Link rel="next"} on the upstream's origin, at
     * most {@value #MAX_TAG_PAGES} pages of at most {@value #MAX_TAG_PAGE_BYTES} bytes and {@value #MAX_TAGS} tags in all; a longer list is
     * {@code TOO_LARGE}, a page loop or a link elsewhere {@code PROTOCOL}.
     */
    @Override
    public List<String> fetchTags(RepositoryName repo) {
        List<String> tags = new ArrayList<>();
        Set<URI> seen = new HashSet<>();
        URI page = base.resolve("/v2/" + repo.value() + "/tags/list?n=" + TAG_PAGE_SIZE);
        for (int pages = 1; ; pages++) {
            if (!seen.add(page)) {
                throw new UpstreamException(
                        UpstreamException.Kind.PROTOCOL,
                        prefix() + "tag list pages loop at " + transport.describe(page));
            }
            Exchange exchange = execute("GET", page, repo, Optional.of("application/json"), manifestTimeout());
            expectOk(exchange, repo);
            Optional<String> next = LinkHeader.next(exchange.headers().allValues("Link"));
            byte[] body = readCapped(exchange, MAX_TAG_PAGE_BYTES, "tag list page");
            TagPage.parse(body, tags, MAX_TAGS, prefix());
            if (next.isEmpty()) {
                return tags;
            }
            if (pages == MAX_TAG_PAGES) {
                throw new UpstreamException(
                        UpstreamException.Kind.TOO_LARGE,
                        prefix() + "tag list longer than " + MAX_TAG_PAGES + " pages");
            }
            page = nextPage(page, next.get());
        }
    }

    /**
     * Asks for pages of {@value #TAG_PAGE_SIZE} names with the upstream's own login and a {@code registry:catalog:*}
     * token, following {@code Link rel="next"} as {@link #fetchTags} does, within the same page, byte and name caps.
     * Registries without the catalog (many public ones) answer 404, 401 or 403: {@code NOT_FOUND}, {@code
     * UNAUTHORIZED} or {@code DENIED}, never counted as Wharf's credentials failing, since a login that pulls may
     * well be refused the catalog.
     */
    @Override
    public List<String> fetchCatalog() {
        List<String> names = new ArrayList<>();
        Set<URI> seen = new HashSet<>();
        URI page = base.resolve("/v2/_catalog?n=" + TAG_PAGE_SIZE);
        for (int pages = 1; ; pages++) {
            if (!seen.add(page)) {
                throw new UpstreamException(
                        UpstreamException.Kind.PROTOCOL,
                        prefix() + "catalog pages loop at " + transport.describe(page));
            }
            Exchange exchange = attempt(
                    catalogAuthorizer,
                    "GET",
                    page,
                    Optional.of(CATALOG_SCOPE),
                    Optional.of("application/json"),
                    manifestTimeout(),
                    Transport.Body.SMALL);
            if (exchange.status() != 200) {
                exchange.discard();
                throw statusFailure(exchange);
            }
            Optional<String> next = LinkHeader.next(exchange.headers().allValues("Link"));
            byte[] body = readCapped(exchange, MAX_TAG_PAGE_BYTES, "catalog page");
            TagPage.parseCatalog(body, names, MAX_TAGS, prefix());
            if (next.isEmpty()) {
                return names;
            }
            if (pages == MAX_TAG_PAGES) {
                throw new UpstreamException(
                        UpstreamException.Kind.TOO_LARGE, prefix() + "catalog longer than " + MAX_TAG_PAGES + " pages");
            }
            page = nextPage(page, next.get());
        }
    }

    private Exchange execute(String method, URI uri, RepositoryName repo, Optional<String> accept, Duration timeout) {
        return execute(method, uri, repo, accept, timeout, Transport.Body.SMALL);
    }

    /** As {@link #attempt}; a request that failed on Wharf's credentials is counted (see {@link #credentialFailures}). */
    private Exchange execute(
            String method,
            URI uri,
            RepositoryName repo,
            Optional<String> accept,
            Duration timeout,
            Transport.Body body) {
        Authorizer authorizer = authorizers.apply(repo);
        Optional<String> scope = scope(repo);
        Exchange exchange;
        try {
            exchange = withOneRefresh(authorizer, method, uri, scope, accept, timeout, body);
        } catch (UpstreamException e) {
            if (e.kind() == UpstreamException.Kind.CREDENTIALS) {
                credentialFailures.incrementAndGet();
            }
            throw e;
        }
        if (authorizer.refuses(exchange)) {
            credentialFailures.incrementAndGet();
        }
        return exchange;
    }

    /**
     * As {@link #attempt}; when the upstream or its token service refuses Wharf's login, the credential source is
     * refreshed once, and the request is sent once more if that gave another login.
     */
    private Exchange withOneRefresh(
            Authorizer authorizer,
            String method,
            URI uri,
            Optional<String> scope,
            Optional<String> accept,
            Duration timeout,
            Transport.Body body) {
        Exchange first;
        try {
            first = attempt(authorizer, method, uri, scope, accept, timeout, body);
        } catch (UpstreamException e) {
            boolean refused = e.kind() == UpstreamException.Kind.CREDENTIALS && e.status() != 0;
            if (!refused || !authorizer.refreshLogin()) {
                throw e;
            }
            return attempt(authorizer, method, uri, scope, accept, timeout, body);
        }
        if (authorizer.refuses(first) && authorizer.refreshLogin()) {
            first.discard();
            return attempt(authorizer, method, uri, scope, accept, timeout, body);
        }
        return first;
    }

    /** Sends with what authentication is known, and once more after a 401 when a challenge gives something new. */
    private Exchange attempt(
            Authorizer authorizer,
            String method,
            URI uri,
            Optional<String> scope,
            Optional<String> accept,
            Duration timeout,
            Transport.Body body) {
        Optional<String> auth = authorizer.upFront(scope);
        Exchange exchange = observe(transport.send(method, uri, auth, accept, timeout, body));
        if (exchange.status() != 401 || !exchange.atUpstream()) {
            return exchange;
        }
        List<AuthChallenge> challenges = new ArrayList<>();
        try {
            for (String header : exchange.headers().allValues("WWW-Authenticate")) {
                challenges.addAll(AuthChallenge.parse(header));
            }
        } catch (IllegalArgumentException e) {
            exchange.discard();
            throw new UpstreamException(
                    UpstreamException.Kind.PROTOCOL, 401, prefix() + "malformed WWW-Authenticate challenge");
        }
        Optional<String> retry;
        try {
            retry = authorizer.afterChallenge(challenges, scope, auth);
        } finally {
            exchange.discard();
        }
        if (retry.isEmpty()) {
            throw failure(authorizer, exchange);
        }
        return observe(transport.send(method, uri, retry, accept, timeout, body));
    }

    /** The pull budget the upstream announced in its last answer that carried one (Docker Hub does); else empty. */
    public Optional<RateLimit> rateLimit() {
        return rateLimit.get();
    }

    private Duration manifestTimeout() {
        return settings.manifestTimeout();
    }

    private Exchange observe(Exchange exchange) {
        if (exchange.atUpstream()) {
            RateLimit.parse(exchange.headers(), clock.instant()).ifPresent(seen -> rateLimit.set(Optional.of(seen)));
        }
        return exchange;
    }

    private void expectOk(Exchange exchange, RepositoryName repo) {
        if (exchange.status() != 200) {
            exchange.discard();
            throw failure(authorizers.apply(repo), exchange);
        }
    }

    /**
     * Requests to this upstream that failed on Wharf's own credentials: refused by the upstream or its token service
     * (after the one refresh), or not obtainable from their source.
     */
    public long credentialFailures() {
        return credentialFailures.get();
    }

    private UpstreamException failure(Authorizer authorizer, Exchange exchange) {
        int status = exchange.status();
        if (authorizer.refuses(exchange)) {
            return authorizer.refused(exchange.method() + " " + exchange.described(), status);
        }
        return statusFailure(exchange);
    }

    /** The failure an answer's status means, whoever sent the request. */
    private UpstreamException statusFailure(Exchange exchange) {
        int status = exchange.status();
        UpstreamException.Kind kind = switch (status) {
            case 404 -> UpstreamException.Kind.NOT_FOUND;
            case 401 -> UpstreamException.Kind.UNAUTHORIZED;
            case 403 -> UpstreamException.Kind.DENIED;
            case 429 -> UpstreamException.Kind.RATE_LIMITED;
            default -> status >= 500 ? UpstreamException.Kind.UNAVAILABLE : UpstreamException.Kind.PROTOCOL;
        };
        return new UpstreamException(
                kind,
                status,
                RetryAfter.parse(exchange.headers().firstValue("Retry-After"), clock.instant()),
                prefix() + exchange.method() + " " + exchange.described() + " answered " + status,
                null);
    }

    private byte[] readCapped(Exchange exchange, int max, String what) {
        if (exchange.headers().firstValueAsLong("Content-Length").orElse(-1) > max) {
            exchange.discard();
            throw tooLarge(exchange, what, max);
        }
        byte[] body;
        try {
            body = BoundedBody.readAtMost(exchange.body(), max);
        } catch (IOException e) {
            throw new UpstreamException(
                    UpstreamException.Kind.UNAVAILABLE,
                    exchange.status(),
                    Optional.empty(),
                    prefix() + exchange.method() + " " + exchange.described() + ": body broke off",
                    e);
        }
        if (body.length > max) {
            throw tooLarge(exchange, what, max);
        }
        return body;
    }

    private UpstreamException tooLarge(Exchange exchange, String what, int max) {
        return new UpstreamException(
                UpstreamException.Kind.TOO_LARGE,
                exchange.status(),
                prefix() + exchange.method() + " " + exchange.described() + ": " + what + " over " + max + " bytes");
    }

    private String mediaType(Exchange exchange) {
        String value = exchange.headers().firstValue("Content-Type").orElse("");
        int semicolon = value.indexOf(';');
        String type =
                (semicolon < 0 ? value : value.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
        if (!MEDIA_TYPE.matcher(type).matches()) {
            throw new UpstreamException(
                    UpstreamException.Kind.PROTOCOL,
                    exchange.status(),
                    prefix() + exchange.method() + " " + exchange.described() + ": missing or invalid Content-Type");
        }
        return type;
    }

    private static Optional<Digest> digestHeader(HttpHeaders headers) {
        return headers.firstValue("Docker-Content-Digest")
                .map(String::trim)
                .filter(Digest::isDigest)
                .map(Digest::parse);
    }

    private URI manifestUri(RepositoryName repo, String reference) {
        if (!Digest.isDigest(reference) && !isTag(reference)) {
            throw new IllegalArgumentException("not a tag or digest: " + reference);
        }
        return base.resolve("/v2/" + repo.value() + "/manifests/" + reference);
    }

    private static boolean isTag(String reference) {
        try {
            Tag.parse(reference);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private URI nextPage(URI current, String link) {
        URI next;
        try {
            next = current.resolve(new URI(link));
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new UpstreamException(UpstreamException.Kind.PROTOCOL, prefix() + "invalid tag list Link");
        }
        if (!next.isAbsolute() || next.getHost() == null || !Origin.of(next).equals(Origin.of(base))) {
            throw new UpstreamException(
                    UpstreamException.Kind.PROTOCOL, prefix() + "tag list Link leaves the upstream");
        }
        return next;
    }

    private static Optional<String> scope(RepositoryName repo) {
        return Optional.of("repository:" + repo.value() + ":pull");
    }

    private String prefix() {
        return "upstream " + settings.name() + ": ";
    }

    private static String userAgent() {
        String version = RegistryClient.class.getPackage().getImplementationVersion();
        return "wharf/" + (version == null ? "dev" : version);
    }
}
