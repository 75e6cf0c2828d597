package io.gatehouse.api.deployment;

/** A configuration (manifest, route, …) was refused; the message says why, for the user. */
public class InvalidConfigurationException extends Exception {
    private static final long serialVersionUID = 1L;

    public InvalidConfigurationException(String message) {
        super(message);
    }

    public InvalidConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }
}
