package io.gatehouse.samples.temperature;

/** The process environment lacks something the module needs; the message says what, never a secret. */
public final class InvalidEnvironmentException extends Exception {

    private static final long serialVersionUID = 1L;

    InvalidEnvironmentException(String message) {
        super(message);
    }
}
