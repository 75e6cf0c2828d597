package io.gatehouse.twin.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** One twin as stored. Treated as immutable: a change makes a new document with copied trees. */
record TwinDocument(ObjectNode desired, long desiredVersion, ObjectNode reported, long reportedVersion) {

    static TwinDocument empty() {
        return new TwinDocument(JsonNodeFactory.instance.objectNode(), 1,
                JsonNodeFactory.instance.objectNode(), 1);
    }

    TwinDocument withDesired(ObjectNode newDesired) {
        return new TwinDocument(newDesired, desiredVersion + 1, reported, reportedVersion);
    }

    TwinDocument withReported(ObjectNode newReported) {
        return new TwinDocument(desired, desiredVersion, newReported, reportedVersion + 1);
    }
}
