package io.gatehouse.auth.internal;

/** A SAS token that cannot be read; the message names the part and never repeats the token. */
final class MalformedTokenException extends Exception {

    private static final long serialVersionUID = 1L;

    MalformedTokenException(String reason) {
        super(reason, null, false, false);
    }
}
