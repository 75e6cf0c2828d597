package io.gatehouse.router.internal;

import org.antlr.v4.runtime.Token;

/** A route that does not parse or compile; the message says what and where, for the user. */
public final class RouteSyntaxException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RouteSyntaxException(String message) {
        super(message);
    }

    public static RouteSyntaxException at(Token token, String what) {
        return at(token.getLine(), token.getCharPositionInLine(), what);
    }

    public static RouteSyntaxException at(int line, int charPositionInLine, String what) {
        return new RouteSyntaxException(what + " at line " + line + ", column " + (charPositionInLine + 1));
    }
}
