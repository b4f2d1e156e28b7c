package dev.wharf.proxy.lab;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A fault-injecting HTTP/1.1 proxy on a free 127.0.0.1 port in front of a real upstream (usually a {@link
 * RegistryProcess}). Healthy, it forwards every request and answers with the backend's status, headers and bytes
 * (an unreachable backend gives 502, as a load balancer would). {@link #inject(Fault)} switches on a {@link Fault}
 * for every later request, on new and kept-alive connections alike; {@link #heal()} switches it off. Every request
 * that reaches it is counted by method and path. Bodies are buffered whole: this fronts test images of a few MiB.
 */
public final class FaultyUpstream implements AutoCloseable {
    private static final Duration BACKEND_TIMEOUT = Duration.ofSeconds(60);
    private static final Set<String> NOT_FORWARDED = Set.of(
            "connection",
            "content-length",
            "expect",
            "host",
            "keep-alive",
            "proxy-connection",
            "te",
            "trailer",
            "transfer-encoding",
            "upgrade");

    /** What the upstream does to a request instead of answering it faithfully. */
    public sealed interface Fault {
        /** Answer faithfully. */
        static Fault none() {
            return new None();
        }

        /** Stop listening and drop every open connection: new connections are refused. */
        static Fault refuse() {
            return new Refuse();
        }

        /** Accept the request and never answer it. */
        static Fault blackhole() {
            return new Blackhole();
        }

        /** Send the backend's status and headers, then reset the connection (TCP RST). */
        static Fault resetAfterHeaders() {
            return new ResetAfterHeaders();
        }

        /** Send the backend's headers with the true Content-Length, then half the body, then close. */
        static Fault truncate() {
            return new Truncate();
        }

        /** Send the backend's headers and a body of the right length with one byte changed. */
        static Fault wrongBytes() {
            return new WrongBytes();
        }

        /** Send the backend's headers, then the body {@code bytes} at a time, one piece every {@code interval}. */
        static Fault dribble(int bytes, Duration interval) {
            return new Dribble(bytes, interval);
        }

        /**
         * Send the backend's headers and the first {@code bytes} of the body, then the rest once {@code release}
         * completes (normally or not).
         */
        static Fault hold(int bytes, CompletionStage<?> release) {
            return new Hold(bytes, release);
        }

        /** Answer {@code status} with an OCI error body, without asking the backend. */
        static Fault status(int status) {
            return new Status(status, Optional.empty());
        }

        /** Answer {@code status} with an OCI error body and {@code Retry-After} in whole seconds. */
        static Fault status(int status, Duration retryAfter) {
            return new Status(status, Optional.of(retryAfter));
        }

        /** Hold each request, saying nothing, until {@code release} completes; then answer it faithfully. */
        static Fault delay(CompletionStage<?> release) {
            return new Delay(() -> release);
        }

        /** Hold each request, saying nothing, for {@code after}; then answer it faithfully. */
        static Fault delay(Duration after) {
            return new Delay(() -> CompletableFuture.runAsync(
                    () -> {}, CompletableFuture.delayedExecutor(after.toNanos(), TimeUnit.NANOSECONDS)));
        }

        /** Every {@code k}-th request (counted from the injection) gets {@code fault}; the others are answered. */
        static Fault failEvery(int k, Fault fault) {
            return new FailEvery(k, fault);
        }
    }

    record None() implements Fault {}

    record Refuse() implements Fault {}

    record Blackhole() implements Fault {}

    record ResetAfterHeaders() implements Fault {}

    record Truncate() implements Fault {}

    record WrongBytes() implements Fault {}

    record Dribble(int bytes, Duration interval) implements Fault {
        Dribble {
            if (bytes < 1 || interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("dribble needs bytes >= 1 and a positive interval");
            }
        }
    }

    record Hold(int bytes, CompletionStage<?> release) implements Fault {
        Hold {
            if (bytes < 0) {
                throw new IllegalArgumentException("hold needs bytes >= 0");
            }
            Objects.requireNonNull(release, "release");
        }
    }

    /** {@code release} gives, for each request, what it waits for. */
    record Delay(Supplier<CompletionStage<?>> release) implements Fault {
        Delay {
            Objects.requireNonNull(release, "release");
        }
    }

    record Status(int status, Optional<Duration> retryAfter) implements Fault {
        Status {
            if (status < 400 || status > 599) {
                throw new IllegalArgumentException("status must be an error (4xx or 5xx): " + status);
            }
            Objects.requireNonNull(retryAfter, "retryAfter");
        }
    }

    record FailEvery(int k, Fault fault) implements Fault {
        FailEvery {
            if (k < 1 || fault instanceof FailEvery || fault instanceof Refuse) {
                throw new IllegalArgumentException("failEvery needs k >= 1 and a per-request fault");
            }
        }
    }

    /** One request as it arrived: method and path without the query. */
    public record Request(String method, String path) {}

    /** The fault in force, the paths it applies to, and how many requests it has seen (for failEvery). */
    private record Active(Fault fault, Predicate<String> paths, AtomicInteger seen) {}

    /** A backend answer, body complete. */
    private record Answer(int status, Map<String, List<String>> headers, byte[] body) {}

    private final URI backend;
    private final HttpClient client;
    private final EventLoopGroup group;
    private final ServerBootstrap bootstrap;
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final int port;
    private volatile Active active = new Active(Fault.none(), path -> true, new AtomicInteger());
    private Channel listener;

    private FaultyUpstream(URI backend) {
        this.backend = backend;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        this.group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        this.bootstrap = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.add(ch);
                        ch.pipeline()
                                .addLast(new HttpServerCodec())
                                .addLast(new HttpObjectAggregator(1 << 20))
                                .addLast(new FaultHandler());
                    }
                });
        this.listener = bind(0);
        this.port = ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** A healthy proxy of {@code backend} ({@code http://host:port}). */
    public static FaultyUpstream fronting(URI backend) {
        return new FaultyUpstream(backend);
    }

    /** A healthy proxy of {@code registry}. */
    public static FaultyUpstream fronting(RegistryProcess registry) {
        return fronting(registry.url());
    }

    /** {@code http://127.0.0.1:PORT}; the port stays the same across {@link Fault#refuse()} and healing. */
    public URI url() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** From now on every request gets {@code fault}. */
    public void inject(Fault fault) {
        inject(fault, path -> true);
    }

    /** From now on requests whose path matches {@code paths} get {@code fault}; the others are answered. */
    public synchronized void inject(Fault fault, Predicate<String> paths) {
        Objects.requireNonNull(fault, "fault");
        if (fault instanceof Refuse) {
            active = new Active(fault, path -> true, new AtomicInteger());
            if (listener != null) {
                listener.close().syncUninterruptibly();
                listener = null;
            }
            connections.close().syncUninterruptibly();
            return;
        }
        if (listener == null) {
            listener = bind(port);
        }
        active = new Active(fault, paths, new AtomicInteger());
    }

    /** Answers faithfully again (listening again after {@link Fault#refuse()}). */
    public void heal() {
        inject(Fault.none());
    }

    /** Every request received since the last {@link #clearRequests()}, in arrival order. */
    public List<Request> requests() {
        return List.copyOf(requests);
    }

    /** How many requests since the last {@link #clearRequests()} had {@code method} and a matching path. */
    public int count(String method, Predicate<String> path) {
        return (int) requests.stream()
                .filter(r -> r.method().equals(method) && path.test(r.path()))
                .count();
    }

    /** Forgets the requests received so far. */
    public void clearRequests() {
        requests.clear();
    }

    @Override
    public synchronized void close() {
        if (listener != null) {
            listener.close().syncUninterruptibly();
            listener = null;
        }
        connections.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private Channel bind(int port) {
        return bootstrap
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))
                .syncUninterruptibly()
                .channel();
    }

    /** The fault for a request to {@code path}: none outside the injected paths or between failEvery's hits. */
    private Fault faultFor(String path) {
        Active now = active;
        if (!now.paths().test(path)) {
            return Fault.none();
        }
        if (now.fault() instanceof FailEvery every) {
            return now.seen().incrementAndGet() % every.k() == 0 ? every.fault() : Fault.none();
        }
        return now.fault();
    }

    /** Runs on the channel's event loop; backend calls complete elsewhere and hop back before writing. */
    private final class FaultHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            URI uri = URI.create(request.uri());
            String path = uri.getRawPath();
            requests.add(new Request(request.method().name(), path));
            boolean head = request.method().equals(HttpMethod.HEAD);
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            Fault fault = faultFor(path);
            if (fault instanceof Refuse) {
                ctx.close();
            } else if (fault instanceof Blackhole) {
                // Hold the connection open and silent; close() drops it.
            } else if (fault instanceof Status status) {
                sendStatus(ctx, status, keepAlive);
            } else {
                HttpRequest.Builder forward = HttpRequest.newBuilder(backend.resolve(request.uri()))
                        .timeout(BACKEND_TIMEOUT)
                        .method(request.method().name(), HttpRequest.BodyPublishers.noBody());
                request.headers().forEach(h -> {
                    if (!NOT_FORWARDED.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                        forward.header(h.getKey(), h.getValue());
                    }
                });
                CompletionStage<?> go =
                        fault instanceof Delay delay ? delay.release().get() : CompletableFuture.completedFuture(null);
                go.handle((released, failure) -> client.sendAsync(forward.build(), BodyHandlers.ofByteArray()))
                        .thenCompose(sent -> sent)
                        .handle((r, failure) -> failure == null
                                ? new Answer(r.statusCode(), r.headers().map(), r.body())
                                : badGateway(failure))
                        .thenAccept(
                                answer -> ctx.executor().execute(() -> respond(ctx, fault, answer, head, keepAlive)));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private static Answer badGateway(Throwable failure) {
        Throwable cause =
                failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        String message = "backend failed: " + cause.getClass().getSimpleName();
        return new Answer(502, Map.of("Content-Type", List.of("text/plain")), message.getBytes(StandardCharsets.UTF_8));
    }

    private static void respond(
            ChannelHandlerContext ctx, Fault fault, Answer answer, boolean head, boolean keepAlive) {
        if (!ctx.channel().isActive()) {
            return;
        }
        HttpResponse headers = headersOf(answer, head);
        byte[] body = head ? new byte[0] : answer.body();
        if (fault instanceof ResetAfterHeaders) {
            ctx.writeAndFlush(headers).addListener(f -> {
                ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
                ctx.close();
            });
        } else if (fault instanceof Truncate) {
            ctx.write(headers);
            ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(body, 0, body.length / 2)))
                    .addListener(f -> ctx.close());
        } else if (fault instanceof Dribble dribble) {
            ctx.writeAndFlush(headers);
            dribble(ctx, body, 0, dribble, keepAlive);
        } else if (fault instanceof Hold hold) {
            int first = Math.min(body.length, hold.bytes());
            ctx.write(headers);
            ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(body, 0, first)));
            hold.release()
                    .whenComplete((released, failure) -> ctx.executor().execute(() -> {
                        if (ctx.channel().isActive()) {
                            finish(
                                    ctx,
                                    ctx.writeAndFlush(new DefaultLastHttpContent(
                                            Unpooled.wrappedBuffer(body, first, body.length - first))),
                                    keepAlive);
                        }
                    }));
        } else {
            byte[] sent = fault instanceof WrongBytes && body.length > 0 ? flipped(body) : body;
            FullHttpResponse full = new DefaultFullHttpResponse(
                    HttpVersion.HTTP_1_1,
                    headers.status(),
                    Unpooled.wrappedBuffer(sent),
                    headers.headers(),
                    new DefaultLastHttpContent().trailingHeaders());
            finish(ctx, ctx.writeAndFlush(full), keepAlive);
        }
    }

    /** Writes the next piece of {@code body} from {@code offset}, then schedules the rest on the event loop. */
    private static void dribble(
            ChannelHandlerContext ctx, byte[] body, int offset, Dribble dribble, boolean keepAlive) {
        if (!ctx.channel().isActive()) {
            return;
        }
        int end = Math.min(body.length, offset + dribble.bytes());
        if (end == body.length) {
            finish(
                    ctx,
                    ctx.writeAndFlush(new DefaultLastHttpContent(Unpooled.wrappedBuffer(body, offset, end - offset))),
                    keepAlive);
            return;
        }
        ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(body, offset, end - offset)));
        ctx.executor()
                .schedule(
                        () -> dribble(ctx, body, end, dribble, keepAlive),
                        dribble.interval().toNanos(),
                        TimeUnit.NANOSECONDS);
    }

    private static void sendStatus(ChannelHandlerContext ctx, Status status, boolean keepAlive) {
        String code = status.status() == 429 ? "TOOMANYREQUESTS" : "UNAVAILABLE";
        byte[] body = ("{\"errors\":[{\"code\":\"" + code + "\",\"message\":\"injected fault\",\"detail\":null}]}")
                .getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status.status()), Unpooled.wrappedBuffer(body));
        HttpHeaders h = response.headers();
        h.set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        h.set(HttpHeaderNames.CONTENT_LENGTH, body.length);
        h.set("Docker-Distribution-API-Version", "registry/2.0");
        status.retryAfter().ifPresent(d -> h.set(HttpHeaderNames.RETRY_AFTER, d.toSeconds()));
        finish(ctx, ctx.writeAndFlush(response), keepAlive);
    }

    private static void finish(ChannelHandlerContext ctx, ChannelFuture written, boolean keepAlive) {
        if (!keepAlive) {
            written.addListener(f -> ctx.close());
        }
    }

    /** The backend's status and end-to-end headers, with its true Content-Length (for HEAD, the one it sent). */
    private static HttpResponse headersOf(Answer answer, boolean head) {
        HttpResponse response =
                new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(answer.status()));
        answer.headers().forEach((name, values) -> {
            if (!name.startsWith(":") && !NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT))) {
                response.headers().add(name, values);
            }
        });
        String length = head
                ? answer.headers().entrySet().stream()
                        .filter(e -> e.getKey().equalsIgnoreCase("content-length"))
                        .flatMap(e -> e.getValue().stream())
                        .findFirst()
                        .orElse("0")
                : Integer.toString(answer.body().length);
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, length);
        return response;
    }

    private static byte[] flipped(byte[] body) {
        byte[] copy = Arrays.copyOf(body, body.length);
        copy[copy.length / 2] ^= 0x01;
        return copy;
    }
}
