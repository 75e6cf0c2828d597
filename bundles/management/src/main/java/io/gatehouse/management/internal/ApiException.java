package io.gatehouse.management.internal;

/** A request refused before it reached a service: the status to answer and a reason for the user. */
public class ApiException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int status;

    public ApiException(int status, String reason) {
        super(reason);
        this.status = status;
    }

    public int status() {
        return status;
    }

    public String reason() {
        return getMessage();
    }
}
