package io.gatehouse.upstream.internal;

/**
 * Something on the way to the parent failed: a connection refused or lost, a timeout, an answer
 * that is not the expected one. The message is for the log and names no secret.
 */
class UpstreamException extends Exception {
    private static final long serialVersionUID = 1L;

    UpstreamException(String message) {
        super(message);
    }

    UpstreamException(String message, Throwable cause) {
        super(message, cause);
    }
}
