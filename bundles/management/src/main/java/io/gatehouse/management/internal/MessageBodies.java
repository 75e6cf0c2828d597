package io.gatehouse.management.internal;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** A message body shown to a person or a JSON client: its text when it is UTF-8, else base64. */
final class MessageBodies {
    static final String UTF8 = "utf-8";
    static final String BASE64 = "base64";

    private static final int PREVIEW_CHARS = 40;

    private MessageBodies() {
    }

    /** The body as text, or null when it is not valid UTF-8 (a lenient decoder would show U+FFFD and hide that). */
    static String utf8OrNull(byte[] body) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException notUtf8) {
            return null;
        }
    }

    /** A one-line glimpse for a table: the start of the text, or of the base64 marked as such. */
    static String preview(byte[] body) {
        String text = utf8OrNull(body);
        String shown = text != null ? text : "base64:" + Base64.getEncoder().encodeToString(body);
        StringBuilder line = new StringBuilder();
        shown.codePoints().limit(PREVIEW_CHARS + 1L).forEach(c -> line.appendCodePoint(Character.isISOControl(c) ? ' ' : c));
        if (line.codePointCount(0, line.length()) > PREVIEW_CHARS) {
            return line.substring(0, line.offsetByCodePoints(0, PREVIEW_CHARS)) + "…";
        }
        return line.toString();
    }
}
