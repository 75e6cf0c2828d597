package io.gatehouse.api.twin;

/** A twin patch was refused (malformed JSON, or beyond IoT Hub's limits); nothing changed. */
public class InvalidTwinException extends Exception {
    private static final long serialVersionUID = 1L;

    public InvalidTwinException(String message) {
        super(message);
    }
}
