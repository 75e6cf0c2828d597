package io.gatehouse.api.method;

/**
 * A direct method got no answer: {@link #NOT_CONNECTED} (404: the target is not connected or not
 * subscribed to methods within the connect timeout) or {@link #TIMED_OUT} (504: no answer within
 * the response timeout).
 */
public class MethodInvocationException extends Exception {
    private static final long serialVersionUID = 1L;
    public static final int NOT_CONNECTED = 404;
    public static final int TIMED_OUT = 504;

    private final int status;

    public MethodInvocationException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
