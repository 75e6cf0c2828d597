package io.gatehouse.api.method;

/**
 * What the target answered: its status (any integer the client chose) and its JSON payload
 * ({@code null} when it sent none).
 */
public record MethodResult(int status, String payloadJson) {
}
