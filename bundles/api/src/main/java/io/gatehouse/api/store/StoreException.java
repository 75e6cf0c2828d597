package io.gatehouse.api.store;

/** The store could not make a message durable; the sender must not be acknowledged. */
public class StoreException extends Exception {
    private static final long serialVersionUID = 1L;

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public StoreException(String message) {
        super(message);
    }
}
