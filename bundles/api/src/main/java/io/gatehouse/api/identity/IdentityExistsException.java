package io.gatehouse.api.identity;

/** {@link IdentityRegistry#add} refused an id that is already registered. */
public class IdentityExistsException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public IdentityExistsException(String message) {
        super(message);
    }
}
