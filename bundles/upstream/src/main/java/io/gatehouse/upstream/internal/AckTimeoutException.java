package io.gatehouse.upstream.internal;

/** The parent did not answer a message in time: the channel is not trusted to answer later. */
final class AckTimeoutException extends UpstreamException {
    private static final long serialVersionUID = 1L;

    AckTimeoutException(String message) {
        super(message);
    }
}
