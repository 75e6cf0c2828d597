package io.gatehouse.cli;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** HTTP to the gateway's management API. */
final class GatewayClient {

    /** The gateway's answer: status and body text. */
    record Reply(int status, String body) {
    }

    /** The gateway could not be reached at all (not running, wrong port, timed out). */
    static final class UnreachableException extends Exception {
        private static final long serialVersionUID = 1L;

        UnreachableException(String message) {
            super(message);
        }
    }

    /** Long enough for a large deployment to be validated and applied. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    private final URI base;
    private final HttpClient http;

    GatewayClient(URI base) {
        this.base = base;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    URI base() {
        return base;
    }

    Reply get(String path) throws UnreachableException {
        return send(request(path, REQUEST_TIMEOUT).GET(), REQUEST_TIMEOUT);
    }

    Reply delete(String path) throws UnreachableException {
        return send(request(path, REQUEST_TIMEOUT).DELETE(), REQUEST_TIMEOUT);
    }

    Reply post(String path, byte[] json) throws UnreachableException {
        return post(path, json, REQUEST_TIMEOUT);
    }

    /** A POST whose answer may take longer than the usual limit: a direct method's, up to ten minutes. */
    Reply post(String path, byte[] json, Duration timeout) throws UnreachableException {
        return send(request(path, timeout).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json)), timeout);
    }

    Reply patch(String path, byte[] json) throws UnreachableException {
        return send(request(path, REQUEST_TIMEOUT).header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(json)), REQUEST_TIMEOUT);
    }

    private static String why(IOException e, Duration timeout) {
        if (e instanceof HttpConnectTimeoutException) return "connection timed out";
        if (e instanceof HttpTimeoutException) return "no answer within " + timeout.toSeconds() + " s";
        if (e instanceof ConnectException) return "connection refused";
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    /** One path segment, percent-encoded (ids may hold characters such as '#', '?' or ' '). */
    static String segment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private HttpRequest.Builder request(String path, Duration timeout) {
        return HttpRequest.newBuilder(URI.create(base + path))
                .timeout(timeout)
                .header("Accept", "application/json");
    }

    private Reply send(HttpRequest.Builder request, Duration timeout) throws UnreachableException {
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Reply(response.statusCode(), response.body());
        } catch (IOException e) {
            throw new UnreachableException("cannot reach the gateway at " + base + " (" + why(e, timeout) + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnreachableException("interrupted while talking to the gateway at " + base);
        }
    }
}
