package io.gatehouse.upstream.internal;

/**
 * A direct method the parent called on a channel's identity, with the way back for its answer.
 *
 * @param requestId the parent's id of the call, for the log; null when the call cannot be answered
 * @param name the method's name; null or empty when the call named none
 * @param payload the JSON payload as sent (may be empty)
 */
record MethodCall(String requestId, String name, byte[] payload, Answer answer) {

    /** Sends the answer to the parent. */
    interface Answer {
        void send(int status, byte[] body) throws UpstreamException;
    }
}
