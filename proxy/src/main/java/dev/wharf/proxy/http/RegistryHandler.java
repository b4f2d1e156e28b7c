package dev.wharf.proxy.http;

import static io.netty.handler.codec.http.HttpResponseStatus.BAD_REQUEST;
import static io.netty.handler.codec.http.HttpResponseStatus.METHOD_NOT_ALLOWED;
import static io.netty.handler.codec.http.HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
import static io.netty.handler.codec.http.HttpResponseStatus.REQUEST_URI_TOO_LONG;

import dev.wharf.proxy.metrics.RequestMetrics;
import dev.wharf.proxy.pull.BlobSource;
import dev.wharf.proxy.pull.Fill;
import dev.wharf.proxy.pull.PullThrough;
import dev.wharf.proxy.pull.Target;
import dev.wharf.proxy.security.Caller;
import dev.wharf.proxy.security.Gate;
import dev.wharf.proxy.security.Refusal;
import dev.wharf.storage.BlobContent;
import dev.wharf.storage.BlobReader;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpChunkedInput;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.nio.channels.FileChannel;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * Serves the OCI read API on one connection, one request at a time: reading pauses while a request is answered, so
 * pipelined requests are answered in order. Routing and validation run on the event loop (no I/O); pull answers
 * with a future (it runs storage and upstream work on threads of its own), and the answer hops back to the event
 * loop. A request whose connection closes before its answer is cancelled, so that pull drops work nobody waits for.
 * Holds no per-connection state, so one instance serves every connection.
 */
@ChannelHandler.Sharable
final class RegistryHandler extends ChannelInboundHandlerAdapter {
    private final Router router;
    private final PullThrough pull;
    private final Executor storage;
    private final RequestMetrics metrics;
    private final AccessLog accessLog;
    private final Gate gate;

    /**
     * {@code storage} reads blobs whose reads may wait (a bucket's), so that the event loop never does; {@code gate}
     * admits each routed request before anything is read or fetched for it.
     */
    RegistryHandler(
            Router router, PullThrough pull, Executor storage, RequestMetrics metrics, AccessLog accessLog, Gate gate) {
        this.router = router;
        this.pull = pull;
        this.storage = storage;
        this.metrics = metrics;
        this.accessLog = accessLog;
        this.gate = gate;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof HttpRequest request) {
                ctx.channel().config().setAutoRead(false);
                handle(ctx, request);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void handle(ChannelHandlerContext ctx, HttpRequest request) {
        long arrived = System.nanoTime();
        // Requests refused here close the connection: their body, if any, is never read.
        if (request.decoderResult().isFailure()) {
            Throwable cause = request.decoderResult().cause();
            var status = cause instanceof TooLongHttpLineException
                    ? REQUEST_URI_TOO_LONG
                    : cause instanceof TooLongHttpHeaderException ? REQUEST_HEADER_FIELDS_TOO_LARGE : BAD_REQUEST;
            refuse(ctx, request, arrived, new RequestException(status, "UNSUPPORTED", "malformed request"));
            return;
        }
        if (hasAmbiguousFraming(request)) {
            refuse(
                    ctx,
                    request,
                    arrived,
                    new RequestException(BAD_REQUEST, "UNSUPPORTED", "ambiguous message framing"));
            return;
        }
        Optional<RequestException> unfit = RequestChecks.refusal(request);
        if (unfit.isPresent()) {
            refuse(ctx, request, arrived, unfit.get());
            return;
        }
        HttpMethod method = request.method();
        if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
            refuse(
                    ctx,
                    request,
                    arrived,
                    new RequestException(METHOD_NOT_ALLOWED, "UNSUPPORTED", "this registry is read-only"));
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        boolean head = method.equals(HttpMethod.HEAD);
        Route route;
        try {
            route = router.route(request.uri());
        } catch (RequestException e) {
            // A caller the gate does not know learns nothing of the routes (which upstreams exist): 401 first.
            Exchange refused = new Exchange(ctx, request, arrived, null, head, keepAlive, Optional.empty());
            admit(refused, request, Optional.empty(), () -> refused.fail(e));
            return;
        }
        Optional<String> ns = namespace(request.uri());
        Exchange exchange = new Exchange(ctx, request, arrived, route, head, keepAlive, ns);
        admit(exchange, request, target(route), () -> dispatch(exchange, route, request, head));
    }

    /** Runs {@code then} once the gate admits the request (at once when it can tell on the event loop). */
    private void admit(Exchange exchange, HttpRequest request, Optional<Target> target, Runnable then) {
        CompletableFuture<Void> admitted = gate.admit(Caller.of(request, exchange.ctx.channel()), target);
        if (admitted.isDone() && !admitted.isCompletedExceptionally()) {
            then.run();
        } else {
            exchange.answer(admitted, ok -> then.run());
        }
    }

    private static Optional<Target> target(Route route) {
        if (route instanceof Route.Manifest m) {
            return Optional.of(m.target());
        } else if (route instanceof Route.Blob b) {
            return Optional.of(b.target());
        } else if (route instanceof Route.Tags t) {
            return Optional.of(t.target());
        }
        return Optional.empty();
    }

    private void dispatch(Exchange exchange, Route route, HttpRequest request, boolean head) {
        if (route instanceof Route.Base) {
            exchange.send(Responses.base(head));
        } else if (route instanceof Route.Manifest m) {
            exchange.answer(pull.manifest(m.target(), m.reference()), manifest -> {
                if (manifest.stale()) {
                    metrics.staleServed(m.target().upstream());
                }
                exchange.answered(
                        RequestMetrics.Kind.MANIFEST, manifest.outcome().label(), head ? 0 : manifest.bytes().length);
                exchange.send(Responses.manifest(manifest, head));
            });
        } else if (route instanceof Route.Blob b) {
            String rangeHeader = request.headers().get(HttpHeaderNames.RANGE);
            exchange.answer(pull.openBlob(b.target(), b.digest()), source -> exchange.sendBlob(b, source, rangeHeader));
        } else if (route instanceof Route.Tags t) {
            exchange.answer(pull.tags(t.target()), tags -> exchange.sendTags(t, tags));
        } else if (route instanceof Route.Referrers r) {
            exchange.answer(pull.referrers(r.target(), r.subject(), r.artifactType()), referrers -> {
                if (referrers.staleWarning().isPresent()) {
                    metrics.staleServed(r.target().upstream());
                }
                exchange.send(Responses.referrers(referrers, head));
            });
        }
    }

    private static boolean hasAmbiguousFraming(HttpRequest request) {
        String te = request.headers().get(HttpHeaderNames.TRANSFER_ENCODING);
        if (te == null) {
            return false;
        }
        return request.headers().contains(HttpHeaderNames.CONTENT_LENGTH)
                || !te.trim().equalsIgnoreCase(HttpHeaderValues.CHUNKED.toString());
    }

    private static Optional<String> namespace(String uri) {
        List<String> ns = new QueryStringDecoder(uri).parameters().get("ns");
        return ns == null || ns.isEmpty() ? Optional.empty() : Optional.of(ns.get(0));
    }

    private void refuse(ChannelHandlerContext ctx, HttpRequest request, long arrived, RequestException refusal) {
        new Exchange(ctx, request, arrived, null, false, false, Optional.empty()).fail(refusal);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    /** One request's answer: runs blocking work on the workers and writes the result on the event loop. */
    private final class Exchange {
        private final ChannelHandlerContext ctx;
        private final Route route;
        private final boolean head;
        private final boolean keepAlive;
        private final Optional<String> ns;
        // What the access log needs of the request; null when nothing is logged.
        private final HttpRequest logged;
        private final long arrived;
        private int status;
        private long bytes;
        // How the cache answered ("hit", "miss", ...); empty until a manifest or blob is answered.
        private String cache = "";

        Exchange(
                ChannelHandlerContext ctx,
                HttpRequest request,
                long arrived,
                Route route,
                boolean head,
                boolean keepAlive,
                Optional<String> ns) {
            this.ctx = ctx;
            this.route = route;
            this.head = head;
            this.keepAlive = keepAlive;
            this.ns = ns;
            this.logged = accessLog == AccessLog.OFF ? null : request;
            this.arrived = arrived;
        }

        /** Writes {@code pending}'s value (or failure) on the event loop; cancels it if the connection closes first. */
        <T> void answer(CompletableFuture<T> pending, Consumer<T> onEventLoop) {
            ChannelFutureListener cancel = closed -> pending.cancel(false);
            ctx.channel().closeFuture().addListener(cancel);
            pending.whenComplete((value, failure) -> {
                try {
                    ctx.executor().execute(() -> {
                        ctx.channel().closeFuture().removeListener(cancel);
                        if (!ctx.channel().isActive()) {
                            closeIfCloseable(value);
                        } else if (failure != null) {
                            fail(failure);
                        } else {
                            onEventLoop.accept(value);
                        }
                    });
                } catch (RejectedExecutionException e) {
                    // The event loop is shutting down, and the connection with it.
                    closeIfCloseable(value);
                }
            });
        }

        void send(HttpResponse response) {
            metrics.served(kind(route), response.status().code());
            decorate(response);
            finish(ctx.writeAndFlush(response));
        }

        void fail(Throwable failure) {
            ErrorMapper.OciError error = ErrorMapper.map(failure, route);
            var response = Responses.error(error, head);
            if (error.status().equals(METHOD_NOT_ALLOWED)) {
                response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            }
            if (ErrorMapper.cause(failure) instanceof Refusal refusal) {
                refusal.challenges().forEach(c -> response.headers().add(HttpHeaderNames.WWW_AUTHENTICATE, c));
            }
            if (failure instanceof ByteRange.Unsatisfiable u) {
                response.headers().set(HttpHeaderNames.CONTENT_RANGE, "bytes */" + u.length());
            }
            send(response);
        }

        void sendTags(Route.Tags route, List<String> all) {
            TagPage page = TagPage.of(all, route.n(), route.last());
            Optional<String> link = page.next()
                    .map(last -> "</v2/" + route.requestedName() + "/tags/list?n="
                            + route.n().orElseThrow() + "&last=" + last
                            + ns.map(n -> "&ns=" + n).orElse("")
                            + ">; rel=\"next\"");
            send(Responses.tags(route.requestedName(), page.tags(), link, head));
        }

        void sendBlob(Route.Blob route, BlobSource source, String rangeHeader) {
            if (source instanceof BlobSource.Stored stored) {
                sendStored(route, stored, rangeHeader);
            } else if (source instanceof BlobSource.Filling filling) {
                sendFilling(route, filling, rangeHeader);
            }
        }

        /** Streams a blob while it is filled; the size is known (the upstream announced it). */
        private void sendFilling(Route.Blob route, BlobSource.Filling filling, String rangeHeader) {
            long size = filling.fill().size();
            Optional<ByteRange> range;
            try {
                range = head ? Optional.empty() : ByteRange.parse(rangeHeader, size);
            } catch (ByteRange.Unsatisfiable e) {
                filling.close();
                fail(e);
                return;
            }
            long first = range.map(ByteRange::first).orElse(0L);
            long length = range.map(ByteRange::length).orElse(size);
            if (head) {
                streamFilling(route, filling, size, range, first, length);
                return;
            }
            // The status goes out once the blob's first byte has landed: a fill that fails before is answered with an
            // error. (A range further on is answered at once, its bytes flowing as they land.)
            FillStart.await(
                    filling.fill(),
                    0,
                    size,
                    ctx.channel(),
                    () -> streamFilling(route, filling, size, range, first, length),
                    failure -> {
                        filling.close();
                        fail(failure);
                    },
                    filling::close);
        }

        private void streamFilling(
                Route.Blob route,
                BlobSource.Filling filling,
                long size,
                Optional<ByteRange> range,
                long first,
                long length) {
            HttpResponse response = Responses.blob(route.digest(), size, range);
            metrics.served(RequestMetrics.Kind.BLOB, response.status().code());
            answered(
                    RequestMetrics.Kind.BLOB,
                    filling.outcome().label(),
                    head ? 0 : range.map(ByteRange::length).orElse(size));
            decorate(response);
            if (head) {
                filling.close();
                ctx.write(response);
                finish(ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT));
                return;
            }
            ctx.write(response);
            Fill fill = filling.fill();
            BlobReader partial = filling.partial();
            Optional<FileChannel> file = partial.fileChannel();
            ChannelFuture done;
            if (file.isPresent() && sendsFiles(ctx)) {
                ChannelFuture streamed =
                        ctx.write(FillChunkedInput.regions(fill, partial, file.get(), first, length, ctx.channel()));
                // A stream that fails must end the connection: the last content would complete a short response.
                streamed.addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
                done = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            } else {
                done = ctx.writeAndFlush(
                        new HttpChunkedInput(FillChunkedInput.buffers(fill, partial, first, length, ctx.channel())));
            }
            done.addListener(f -> filling.close());
            finish(done);
        }

        /** Sends a stored blob the way the store opened it: by sendfile, by chunked reads, or by redirect. */
        private void sendStored(Route.Blob route, BlobSource.Stored stored, String rangeHeader) {
            BlobContent content = stored.content();
            if (content instanceof BlobContent.Redirect redirect && !head) {
                answered(RequestMetrics.Kind.BLOB, stored.outcome().label(), 0);
                content.close();
                send(Responses.redirect(route.digest(), redirect.location()));
                return;
            }
            Optional<ByteRange> range;
            try {
                range = head ? Optional.empty() : ByteRange.parse(rangeHeader, content.size());
            } catch (ByteRange.Unsatisfiable e) {
                content.close();
                fail(e);
                return;
            }
            HttpResponse response = Responses.blob(route.digest(), content.size(), range);
            metrics.served(RequestMetrics.Kind.BLOB, response.status().code());
            answered(
                    RequestMetrics.Kind.BLOB,
                    stored.outcome().label(),
                    head ? 0 : range.map(ByteRange::length).orElse(content.size()));
            decorate(response);
            if (head) {
                content.close();
                // The head carries Content-Length, so the encoder expects content: end the message explicitly, or
                // the next response on this connection is refused by the encoder and never sent.
                ctx.write(response);
                finish(ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT));
                return;
            }
            long first = range.map(ByteRange::first).orElse(0L);
            long length = range.map(ByteRange::length).orElse(content.size());
            ctx.write(response);
            ChannelFuture done;
            if (content instanceof BlobContent.LocalFile file && sendsFiles(ctx)) {
                // Zero-copy: the kernel sends the file. The region leaves the channel to the content, closed below.
                ctx.write(new SharedFileRegion(file.channel(), first, length));
                done = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            } else if (content instanceof BlobContent.LocalFile file) {
                // TLS must encrypt in user space, and HTTP/2 frame it: the file is read on a worker, a chunk ahead,
                // never on the event loop.
                done = ctx.writeAndFlush(new HttpChunkedInput(new PrefetchedChunkedInput(
                        new BorrowedFileReader(file.channel(), file.size()), first, length, storage, ctx.channel())));
            } else if (content instanceof BlobContent.Ranged ranged) {
                // A remote store's reads wait on the network: they run on a worker, never on the event loop.
                done = ctx.writeAndFlush(new HttpChunkedInput(
                        new PrefetchedChunkedInput(ranged.reader(), first, length, storage, ctx.channel())));
            } else {
                throw new IllegalStateException("a redirect is only answered to GET");
            }
            done.addListener(f -> content.close());
            finish(done);
        }

        private void decorate(HttpResponse response) {
            ns.ifPresent(n -> response.headers().set("OCI-Namespace", n));
            if (!keepAlive) {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            }
            if (logged != null) {
                status = response.status().code();
                bytes = head ? 0 : HttpUtil.getContentLength(response, 0L);
            }
        }

        private void finish(ChannelFuture done) {
            if (logged != null) {
                done.addListener(f -> log(f.isSuccess()));
            }
            if (keepAlive) {
                done.addListener((ChannelFutureListener) f -> {
                    if (f.isSuccess()) {
                        f.channel().config().setAutoRead(true);
                    } else {
                        f.channel().close();
                    }
                });
            } else {
                done.addListener(ChannelFutureListener.CLOSE);
            }
        }

        /** Counts the answer, and keeps how the cache gave it for the access log. */
        void answered(RequestMetrics.Kind kind, String outcome, long bytes) {
            metrics.answered(kind, outcome, bytes);
            cache = outcome;
        }

        private void log(boolean complete) {
            String userAgent = logged.headers().get(HttpHeaderNames.USER_AGENT);
            Optional<Target> target = route == null ? Optional.empty() : target(route);
            accessLog.record(new AccessLog.Entry(
                    System.currentTimeMillis(),
                    ctx.channel().remoteAddress(),
                    logged.method().name(),
                    logged.uri(),
                    userAgent == null ? "" : userAgent,
                    status,
                    bytes,
                    System.nanoTime() - arrived,
                    complete,
                    target.map(Target::upstream).orElse(""),
                    target.map(t -> t.repository().value()).orElse(""),
                    status < 400 ? cache : "",
                    ctx.channel() instanceof Http2StreamChannel
                            ? "HTTP/2"
                            : logged.protocolVersion().text()));
        }
    }

    /**
     * Whether a file can leave by sendfile on this channel: only on a plain HTTP/1 connection (TLS encrypts in user
     * space; an HTTP/2 stream's bytes are framed, and flow-controlled, by the codec).
     */
    private static boolean sendsFiles(ChannelHandlerContext ctx) {
        return !(ctx.channel() instanceof Http2StreamChannel) && ctx.pipeline().get(SslHandler.class) == null;
    }

    private static RequestMetrics.Kind kind(Route route) {
        if (route instanceof Route.Manifest || route instanceof Route.Referrers) {
            return RequestMetrics.Kind.MANIFEST;
        } else if (route instanceof Route.Blob) {
            return RequestMetrics.Kind.BLOB;
        } else if (route instanceof Route.Tags) {
            return RequestMetrics.Kind.TAGS;
        } else if (route instanceof Route.Base) {
            return RequestMetrics.Kind.BASE;
        }
        return RequestMetrics.Kind.OTHER;
    }

    private static void closeIfCloseable(Object value) {
        if (value instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception ignored) {
                // Nothing to do: the client is gone.
            }
        }
    }
}
