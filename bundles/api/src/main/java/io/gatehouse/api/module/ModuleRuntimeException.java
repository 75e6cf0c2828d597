package io.gatehouse.api.module;

/** A runtime could not do what it was asked; the message says why, for the operator. */
public class ModuleRuntimeException extends Exception {
    private static final long serialVersionUID = 1L;

    public ModuleRuntimeException(String message) {
        super(message);
    }

    public ModuleRuntimeException(String message, Throwable cause) {
        super(message, cause);
    }
}
