package io.gatehouse.supervisor.bundle.internal;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * URLs as they may be shown: a download URL can carry a credential in its user info or query (a
 * storage SAS token, say), so those never reach a log line, a status or an error message.
 */
final class Urls {
    private Urls() {
    }

    static String redact(URI uri) {
        StringBuilder shown = new StringBuilder();
        if (uri.getScheme() != null) shown.append(uri.getScheme()).append("://");
        if (uri.getRawUserInfo() != null) shown.append("…@");
        if (uri.getHost() != null) shown.append(uri.getHost());
        if (uri.getPort() >= 0) shown.append(':').append(uri.getPort());
        if (uri.getRawPath() != null) shown.append(uri.getRawPath());
        if (uri.getRawQuery() != null) shown.append("?…");
        return shown.toString();
    }

    static String redact(String text) {
        try {
            URI uri = new URI(text);
            if (uri.getHost() != null) return redact(uri);
        } catch (URISyntaxException ignored) {
            // not a URL we could take apart: show no more than the part before any query
        }
        int cut = text.indexOf('?');
        int at = text.indexOf('@');
        if (at >= 0 && (cut < 0 || at < cut)) return "(a URL with credentials)";
        return cut < 0 ? text : text.substring(0, cut) + "?…";
    }
}
