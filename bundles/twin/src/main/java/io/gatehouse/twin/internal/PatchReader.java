package io.gatehouse.twin.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.api.twin.InvalidTwinException;
import java.util.Set;

/** Parses a patch or whole document sent by a client into an object, checked against the limits. */
final class PatchReader {
    /** Clients echo these from a twin GET; they are the store's to set, so they are dropped. */
    static final Set<String> IGNORED_KEYS = Set.of("$version", "$metadata");

    private final ObjectMapper mapper;
    private final TwinLimits limits;

    PatchReader(ObjectMapper mapper, TwinLimits limits) {
        this.mapper = mapper;
        this.limits = limits;
    }

    ObjectNode read(String json) throws InvalidTwinException {
        if (json == null || json.isBlank()) {
            throw new InvalidTwinException("a twin patch must be a JSON object, got nothing");
        }
        JsonNode tree;
        try {
            tree = mapper.readTree(json);
        } catch (JsonProcessingException e) {
            throw new InvalidTwinException("malformed JSON: " + e.getOriginalMessage()
                    + " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")");
        }
        if (tree == null || !tree.isObject()) {
            throw new InvalidTwinException("a twin patch must be a JSON object, got "
                    + (tree == null ? "nothing" : tree.getNodeType().name().toLowerCase()));
        }
        ObjectNode object = (ObjectNode) tree;
        object.remove(IGNORED_KEYS);
        limits.check(object, "the patch");
        return object;
    }
}
