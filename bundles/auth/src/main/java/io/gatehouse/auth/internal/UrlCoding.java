package io.gatehouse.auth.internal;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** The URL encodings SAS tokens use, with the variants different SDKs produce. */
final class UrlCoding {

    private UrlCoding() {
    }

    /**
     * Decodes %XX escapes only. A '+' stays a '+': none of the values in a SAS token can hold a
     * space, but ids and base64 signatures hold '+', and some clients leave it unencoded.
     *
     * @throws IllegalArgumentException for a broken escape
     */
    static String decode(String text) {
        return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** As the Azure SDKs for Java and .NET (WebUtility) encode: upper-case hex. */
    static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    /** The same with lower-case hex, as .NET's HttpUtility and some other clients encode. */
    static String lowerCaseEscapes(String encoded) {
        StringBuilder out = new StringBuilder(encoded);
        for (int i = encoded.indexOf('%'); i >= 0 && i + 2 < out.length(); i = encoded.indexOf('%', i + 1)) {
            out.setCharAt(i + 1, Character.toLowerCase(out.charAt(i + 1)));
            out.setCharAt(i + 2, Character.toLowerCase(out.charAt(i + 2)));
        }
        return out.toString();
    }
}
