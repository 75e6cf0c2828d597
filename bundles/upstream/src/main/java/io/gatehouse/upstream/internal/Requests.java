package io.gatehouse.upstream.internal;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Request/response over MQTT topics correlated by {@code $rid}: twin GET and PATCH, the scope
 * request. An answer to no pending request (another connection's, or one that timed out) is
 * ignored.
 */
final class Requests {

    /** An answer: {@code {prefix}{status}/?$rid={rid}[&$version={v}]} and its body. */
    record Response(int status, Long version, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        boolean success() {
            return status >= 200 && status < 300;
        }
    }

    /** A request waiting for its answer. */
    final class Pending {
        final String rid;
        private final CompletableFuture<Response> answer = new CompletableFuture<>();

        private Pending(String rid) {
            this.rid = rid;
        }

        Response await(Duration timeout, String what) throws UpstreamException {
            try {
                return answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw new UpstreamException(what + ": no answer within " + timeout.toSeconds() + " s");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UpstreamException(what + ": interrupted");
            } catch (ExecutionException e) {
                throw new UpstreamException(what + ": " + e.getCause().getMessage(), e.getCause());
            } finally {
                pending.remove(rid);
            }
        }
    }

    private final AtomicLong next = new AtomicLong();
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();

    Pending open() {
        Pending p = new Pending(Long.toString(next.incrementAndGet()));
        pending.put(p.rid, p);
        return p;
    }

    /** @return whether the topic was an answer under {@code prefix} to a pending request */
    boolean complete(String prefix, String topic, byte[] body) {
        Response response = parse(prefix, topic, body);
        if (response == null) return false;
        String rid = query(topic, "$rid");
        Pending p = rid == null ? null : pending.remove(rid);
        if (p == null) return false;
        p.answer.complete(response);
        return true;
    }

    static Response parse(String prefix, String topic, byte[] body) {
        if (!topic.startsWith(prefix)) return null;
        int slash = topic.indexOf('/', prefix.length());
        if (slash < 0) return null;
        int status;
        try {
            status = Integer.parseInt(topic.substring(prefix.length(), slash));
        } catch (NumberFormatException e) {
            return null;
        }
        String version = query(topic, "$version");
        Long v = null;
        if (version != null) {
            try {
                v = Long.parseLong(version);
            } catch (NumberFormatException e) {
                v = null;
            }
        }
        return new Response(status, v, body == null ? new byte[0] : body);
    }

    /** The value of {@code name} in the topic's {@code ?a=b&c=d} tail, or null. */
    static String query(String topic, String name) {
        int q = topic.indexOf('?');
        if (q < 0) return null;
        for (String pair : topic.substring(q + 1).split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals(name)) return pair.substring(eq + 1);
        }
        return null;
    }
}
