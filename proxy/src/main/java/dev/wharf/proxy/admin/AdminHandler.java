package dev.wharf.proxy.admin;

import dev.wharf.proxy.security.AdminGate;
import dev.wharf.proxy.security.Caller;
import dev.wharf.proxy.security.Refusal;
import dev.wharf.storage.StorageException;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the admin listener from its {@link AdminRoutes}: the endpoint a request's method and path reach, {@code 405}
 * with {@code Allow} for a path known under other methods, {@code 404} otherwise. {@code HEAD} is answered as
 * {@code GET} without the body. A route that is not open passes the {@link AdminGate} first: {@code 401} with the
 * challenges, {@code 403} or {@code 429}, each with a JSON error body, and the endpoint is not called. Runs on the
 * event loop; endpoints that block, and credential checks, answer from their own threads.
 */
@ChannelHandler.Sharable
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(AdminHandler.class);

    private final AdminRoutes routes;
    private final AdminGate gate;

    AdminHandler(AdminRoutes routes, AdminGate gate) {
        this.routes = routes;
        this.gate = gate;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (request.decoderResult().isFailure()) {
            write(ctx, AdminResponse.text(400, "bad request\n"), false, false);
            return;
        }
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        boolean head = request.method().equals(HttpMethod.HEAD);
        String method = head ? "GET" : request.method().name();
        AdminRoutes.Match match = routes.find(method, uri.path());
        if (match instanceof AdminRoutes.Match.Found found) {
            AdminRequest admin = new AdminRequest(method, uri.path(), uri.parameters(), found.parameters());
            if (found.open()) {
                call(ctx, found.endpoint(), admin, keepAlive, head);
                return;
            }
            CompletableFuture<Void> admitted;
            try {
                admitted = gate.admit(
                        Caller.of(request, ctx.channel()), ctx.channel().remoteAddress());
            } catch (RuntimeException e) {
                admitted = CompletableFuture.failedFuture(e);
            }
            admitted.whenComplete((ok, failure) -> ctx.executor().execute(() -> {
                if (failure == null) {
                    call(ctx, found.endpoint(), admin, keepAlive, head);
                } else {
                    refuse(ctx, failure instanceof CompletionException ? failure.getCause() : failure, keepAlive, head);
                }
            }));
        } else if (match instanceof AdminRoutes.Match.WrongMethod wrong) {
            FullHttpResponse response = response(AdminResponse.text(405, "method not allowed\n"), head);
            response.headers().set(HttpHeaderNames.ALLOW, wrong.allowed());
            send(ctx, response, keepAlive);
        } else {
            write(ctx, AdminResponse.text(404, "not found\n"), keepAlive, head);
        }
    }

    private static void call(
            ChannelHandlerContext ctx, AdminEndpoint endpoint, AdminRequest admin, boolean keepAlive, boolean head) {
        CompletableFuture<AdminResponse> answer;
        try {
            answer = endpoint.answer(admin);
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((response, failure) -> ctx.executor().execute(() -> {
            if (unwrapped(failure) instanceof StorageException storage
                    && storage.kind() == StorageException.Kind.UNAVAILABLE) {
                // Storage busy or unreachable for now (another replica holds the eviction lease): retry later.
                LOG.warn("admin {} {}: {}", admin.method(), admin.path(), storage.getMessage());
                write(ctx, AdminResponse.error(503, storage.getMessage()), keepAlive, head);
            } else if (failure != null) {
                LOG.warn("admin {} {} failed", admin.method(), admin.path(), failure);
                write(ctx, AdminResponse.error(500, "internal error, see the log"), keepAlive, head);
            } else {
                write(ctx, response, keepAlive, head);
            }
        }));
    }

    /** The failure inside the wrappers futures add. */
    private static Throwable unwrapped(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    private static void refuse(ChannelHandlerContext ctx, Throwable failure, boolean keepAlive, boolean head) {
        if (!(failure instanceof Refusal refusal)) {
            LOG.warn("admin authentication failed", failure);
            write(ctx, AdminResponse.error(500, "internal error, see the log"), keepAlive, head);
            return;
        }
        String message = switch (refusal.kind()) {
            case UNAUTHORIZED -> "authentication required: log in as an administrator";
            case DENIED -> "not an administrator (auth.admins)";
            case TOO_MANY_REQUESTS -> "too many credential checks at once, retry later";
        };
        FullHttpResponse response = response(AdminResponse.error(refusal.kind().status(), message), head);
        refusal.challenges().forEach(c -> response.headers().add(HttpHeaderNames.WWW_AUTHENTICATE, c));
        send(ctx, response, keepAlive);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    private static void write(ChannelHandlerContext ctx, AdminResponse answer, boolean keepAlive, boolean head) {
        send(ctx, response(answer, head), keepAlive);
    }

    private static void send(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
        if (keepAlive) {
            ctx.writeAndFlush(response);
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static FullHttpResponse response(AdminResponse answer, boolean head) {
        FullHttpResponse response = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(answer.status()),
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(answer.body()));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, answer.contentType())
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, answer.body().length);
        return response;
    }
}
