package io.gatehouse.api.deployment;

/**
 * A configuration (manifest, route, …) was refused; the message says why, for the user, and
 * {@link #status()} is the deployment status code to answer with (the reference's 400
 * ConfigFormatError, 412 InvalidSchemaVersion, 417 ConfigEmptyError).
 */
public class InvalidConfigurationException extends Exception {
    private static final long serialVersionUID = 1L;
    /** ConfigFormatError: the answer when nothing more precise applies. */
    public static final int FORMAT_ERROR = 400;

    private final int status;

    public InvalidConfigurationException(String message) {
        this(FORMAT_ERROR, message);
    }

    public InvalidConfigurationException(String message, Throwable cause) {
        super(message, cause);
        this.status = FORMAT_ERROR;
    }

    public InvalidConfigurationException(int status, String message) {
        super(message);
        this.status = status;
    }

    /** The deployment status code: 400, 412 or 417. */
    public int status() {
        return status;
    }
}
