package io.gatehouse.agent.internal.manifest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/** Wording for descriptions: a JSON value's kind, and where a JSON text broke. */
final class Kinds {

    private Kinds() {
    }

    static String of(JsonNode node) {
        return node.getNodeType().toString().toLowerCase(Locale.ROOT);
    }

    /** Line and column only: the parser's own message may quote the text, which may hold a secret. */
    static String where(JsonProcessingException e) {
        return e.getLocation() == null ? ""
                : " (at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
    }
}
