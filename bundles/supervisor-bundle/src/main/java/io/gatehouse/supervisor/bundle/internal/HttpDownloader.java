package io.gatehouse.supervisor.bundle.internal;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;

/** Fetches a file over HTTP(S) into a given path; messages never show a URL's credentials. */
final class HttpDownloader {

    /** Not there: the next repository may have it. */
    static final class NotFoundException extends IOException {
        private static final long serialVersionUID = 1L;

        NotFoundException(String message) {
            super(message);
        }
    }

    private final HttpClient client;
    private final Duration timeout;

    HttpDownloader(Duration timeout) {
        this.timeout = timeout;
        // NORMAL never follows a redirect from https to http
        this.client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NORMAL)
                .build();
    }

    /** Writes the body of {@code uri} to {@code target}; on any failure {@code target} does not exist. */
    void download(URI uri, Path target) throws IOException {
        boolean done = false;
        try {
            HttpResponse<Path> response = send(uri, HttpResponse.BodyHandlers.ofFile(target));
            check(uri, response.statusCode());
            done = true;
        } finally {
            if (!done) Files.deleteIfExists(target);
        }
    }

    /**
     * Downloads {@code uri} to {@code target} and checks it against the repository's {@code .sha1}
     * file when the repository has one.
     */
    void downloadVerified(URI uri, Path target) throws IOException {
        download(uri, target);
        String expected;
        try {
            expected = sha1Of(URI.create(uri + ".sha1"));
        } catch (IOException e) {
            Files.deleteIfExists(target);
            throw e;
        }
        if (expected == null) return;
        String actual = sha1(target);
        if (!actual.equalsIgnoreCase(expected)) {
            Files.deleteIfExists(target);
            throw new IOException(Urls.redact(uri) + " does not match its published SHA-1 (expected " + expected
                    + ", downloaded " + actual + "); it was discarded");
        }
    }

    /** The published checksum, or null when the repository publishes none. */
    private String sha1Of(URI uri) throws IOException {
        HttpResponse<String> response = send(uri, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 404) return null;
        check(uri, response.statusCode());
        String body = response.body().trim();
        // some repositories append the file name after the hash
        String hash = body.split("\\s+", 2)[0].toLowerCase(Locale.ROOT);
        if (!hash.matches("[0-9a-f]{40}")) {
            throw new IOException(Urls.redact(uri) + " does not hold a SHA-1 checksum");
        }
        return hash;
    }

    private <T> HttpResponse<T> send(URI uri, HttpResponse.BodyHandler<T> handler) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
        try {
            return client.send(request, handler);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while downloading " + Urls.redact(uri), e);
        } catch (IOException e) {
            // the exception's own message may hold the full URL
            throw new IOException("cannot download " + Urls.redact(uri) + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null || e.getMessage().contains(uri.toString()) ? "" : " " + e.getMessage()),
                    null);
        }
    }

    private static void check(URI uri, int status) throws IOException {
        if (status == 404 || status == 410) throw new NotFoundException(Urls.redact(uri) + " was not found (HTTP "
                + status + ")");
        if (status != 200) throw new IOException(Urls.redact(uri) + " answered HTTP " + status);
    }

    static String sha1(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-1", e);
        }
        try (var in = Files.newInputStream(file)) {
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0;) digest.update(buffer, 0, n);
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
